import { Button, Group, Select, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import type { FormEvent } from "react";
import { useTemplates } from "../api/queries";
import { cardStateLabels, cardStates } from "../domain";

export const cardFilterKeys = [
  "state",
  "template",
  "q",
  "organizationalUnit",
  "requestedFrom",
  "requestedTo",
] as const;
export type CardFilterValues = Record<(typeof cardFilterKeys)[number], string>;

interface Props {
  value: CardFilterValues;
  onChange(value: CardFilterValues): void;
  onSearch(): void;
  /** Batch orders search one state only: the state filter is then not offered. */
  withState?: boolean;
  searchLabel?: string;
}

/** The search criteria for cards: card template, holder name or card number, unit, request date. */
export function CardFilters({ value, onChange, onSearch, withState = true, searchLabel = "Search" }: Props) {
  const templates = useTemplates();
  const set = (key: keyof CardFilterValues) => (next: string) => onChange({ ...value, [key]: next });
  function submit(event: FormEvent) {
    event.preventDefault();
    onSearch();
  }
  return (
    <form onSubmit={submit} aria-label="Search criteria">
      <Group align="flex-end" gap="sm" wrap="wrap">
        {withState && (
          <Select
            label="State"
            data={[
              { value: "", label: "Any state" },
              ...cardStates.map((s) => ({ value: s, label: cardStateLabels[s] })),
            ]}
            value={value.state}
            onChange={(v) => set("state")(v ?? "")}
            w={150}
          />
        )}
        <Select
          label="Card template"
          data={[
            { value: "", label: "Any template" },
            ...(templates.data ?? []).map((t) => ({ value: t.name, label: t.name })),
          ]}
          value={value.template}
          onChange={(v) => set("template")(v ?? "")}
          w={190}
        />
        <TextInput
          label="Holder name or card number"
          value={value.q}
          onChange={(e) => set("q")(e.currentTarget.value)}
          w={230}
        />
        <TextInput
          label="Organizational unit"
          value={value.organizationalUnit}
          onChange={(e) => set("organizationalUnit")(e.currentTarget.value)}
          w={180}
        />
        <TextInput
          label="Requested from"
          type="date"
          value={value.requestedFrom}
          onChange={(e) => set("requestedFrom")(e.currentTarget.value)}
          w={150}
        />
        <TextInput
          label="Requested to"
          type="date"
          value={value.requestedTo}
          onChange={(e) => set("requestedTo")(e.currentTarget.value)}
          w={150}
        />
        <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
          {searchLabel}
        </Button>
      </Group>
    </form>
  );
}
