import { Anchor, Checkbox, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Card } from "../api/types";
import { formatDateTime } from "./format";
import { StateBadge } from "./StateBadge";

interface Props {
  cards: Card[];
  isSelected(card: Card): boolean;
  onToggle(card: Card, selected: boolean): void;
  onTogglePage(selected: boolean): void;
  /** Why a row cannot be ticked (e.g. your own request, four eyes); undefined when it can. */
  disabledReason?(card: Card): string | undefined;
  /** Extra cells at the end of each row (e.g. row actions). */
  rowEnd?(card: Card): ReactNode;
  rowEndLabel?: string;
  dimmed?: boolean;
  label: string;
}

/** Cards with a check box per row and "Select page" in the header. */
export function SelectableCardTable({
  cards,
  isSelected,
  onToggle,
  onTogglePage,
  disabledReason,
  rowEnd,
  rowEndLabel,
  dimmed,
  label,
}: Props) {
  const selectable = cards.filter((card) => !disabledReason?.(card));
  const selectedOnPage = selectable.filter(isSelected).length;
  const allOnPage = selectable.length > 0 && selectedOnPage === selectable.length;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table className="data-table" aria-label={label} style={{ opacity: dimmed ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={44}>
              <Checkbox
                aria-label="Select page"
                checked={allOnPage}
                indeterminate={selectedOnPage > 0 && !allOnPage}
                onChange={(event) => onTogglePage(event.currentTarget.checked)}
                disabled={selectable.length === 0}
              />
            </Table.Th>
            <Table.Th>Card number</Table.Th>
            <Table.Th>Holder</Table.Th>
            <Table.Th>Organizational unit</Table.Th>
            <Table.Th>Template</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Requested</Table.Th>
            {rowEnd && <Table.Th>{rowEndLabel ?? <span className="sr-only">Actions</span>}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cards.map((card) => {
            const reason = disabledReason?.(card);
            const selected = !reason && isSelected(card);
            return (
              <Table.Tr key={card.id} data-selected={selected}>
                <Table.Td>
                  <Checkbox
                    aria-label={`Select card ${card.cardNumber} of ${card.holderName}`}
                    checked={selected}
                    disabled={Boolean(reason)}
                    title={reason}
                    onChange={(event) => onToggle(card, event.currentTarget.checked)}
                  />
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/cards/${card.id}`} className="mono">
                    {card.cardNumber}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {card.holderName}
                  {reason && (
                    <Text size="xs" c="dimmed">
                      {reason}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{card.organizationalUnit ?? "—"}</Table.Td>
                <Table.Td>{card.template}</Table.Td>
                <Table.Td>
                  <StateBadge kind="card" state={card.state} />
                </Table.Td>
                <Table.Td>{formatDateTime(card.requestedAt)}</Table.Td>
                {rowEnd && <Table.Td>{rowEnd(card)}</Table.Td>}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
