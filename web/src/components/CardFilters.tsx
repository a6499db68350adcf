import { useTemplates } from "../api/queries";
import { cardStateLabels, cardStates } from "../domain";
import {
  choiceField,
  type FilterField,
  SearchFilters,
  type SearchFiltersProps,
  textField,
} from "./SearchTable";

export const cardFilterKeys = [
  "state",
  "template",
  "q",
  "organizationalUnit",
  "requestedFrom",
  "requestedTo",
] as const;
/** The Cards list's criteria: the search's and when a card in use expires (no use to a batch order). */
export const cardListFilterKeys = [...cardFilterKeys, "expiresBefore"] as const;
type CardFilterKey = (typeof cardListFilterKeys)[number];

interface Props<K extends CardFilterKey> extends Omit<SearchFiltersProps<K>, "label" | "fields"> {
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
const expiresBeforeField = textField<CardFilterKey>("expiresBefore", "Expires before", 150, { type: "date" });

/** The search criteria for cards: card template, holder name or card number, unit, request date (and expiry). */
export function CardFilters<K extends CardFilterKey>({ withState = true, ...props }: Props<K>) {
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
      fields={
        [
          ...(withState ? [stateField] : []),
          templateField,
          ...otherFields,
          // Offered where the page keeps it (the Cards list), as its keys say.
          ...("expiresBefore" in props.search.form ? [expiresBeforeField] : []),
        ] as FilterField<K>[]
      }
      {...props}
    />
  );
}
