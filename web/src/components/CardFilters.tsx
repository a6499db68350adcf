import { useTemplates } from "../api/queries";
import { cardStateLabels, cardStates } from "../domain";
import { choiceField, SearchFilters, type SearchFiltersProps, textField } from "./SearchTable";

export const cardFilterKeys = [
  "state",
  "template",
  "q",
  "organizationalUnit",
  "requestedFrom",
  "requestedTo",
] as const;
type CardFilterKey = (typeof cardFilterKeys)[number];

interface Props extends Omit<SearchFiltersProps<CardFilterKey>, "label" | "fields"> {
  /** Batch orders search one state only: the state filter is then not offered. */
  withState?: boolean;
}

const stateField = choiceField<CardFilterKey>(
  "state",
  "State",
  150,
  "Any state",
  cardStates.map((s) => ({ value: s, label: cardStateLabels[s] })),
);
const otherFields = [
  textField<CardFilterKey>("q", "Holder name or card number", 230),
  textField<CardFilterKey>("organizationalUnit", "Organizational unit", 180),
  textField<CardFilterKey>("requestedFrom", "Requested from", 150, { type: "date" }),
  textField<CardFilterKey>("requestedTo", "Requested to", 150, { type: "date" }),
];

/** The search criteria for cards: card template, holder name or card number, unit, request date. */
export function CardFilters({ withState = true, ...props }: Props) {
  const templates = useTemplates();
  const templateField = choiceField<CardFilterKey>(
    "template",
    "Card template",
    190,
    "Any template",
    (templates.data ?? []).map((t) => ({ value: t.name, label: t.name })),
  );
  return (
    <SearchFilters
      label="Search criteria"
      fields={[...(withState ? [stateField] : []), templateField, ...otherFields]}
      {...props}
    />
  );
}
