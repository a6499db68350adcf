import { Anchor, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useTemplates } from "../api/queries";
import type { Card } from "../api/types";
import type { Column, RowSelection } from "./DataTable";
import { formatDate, formatDateTime } from "./format";
import { StateBadge } from "./StateBadge";

/** The columns card lists pick from: the number links to the card's page. */
export const cardColumn = {
  number: {
    header: "Card number",
    sortKey: "cardNumber",
    cell: (card) => (
      <Anchor component={Link} to={`/cards/${card.id}`} className="mono">
        {card.cardNumber}
      </Anchor>
    ),
  },
  unit: { header: "Organizational unit", cell: (card) => card.organizationalUnit ?? "—" },
  template: { header: "Template", cell: (card) => <TemplateCell card={card} /> },
  state: { header: "State", cell: (card) => <StateBadge kind="card" state={card.state} /> },
  requested: {
    header: "Requested",
    sortKey: "requestedAt",
    cell: (card) => formatDateTime(card.requestedAt),
  },
  expires: { header: "Expires", cell: (card) => formatDate(card.expiresAt) },
} satisfies Record<string, Column<Card>>;

/**
 * The columns every card list starts with; `holder` fills the holder's cell (a link to the user,
 * or the name with why the row cannot be ticked).
 */
export function cardColumns(holder: (card: Card) => ReactNode): Column<Card>[] {
  const c = cardColumn;
  return [c.number, { header: "Holder", cell: holder }, c.unit, c.template, c.state, c.requested];
}

/** Cards to tick: the holder's name says why a row cannot be ticked. */
export function selectableCardColumns(disabledReason?: (card: Card) => string | undefined): Column<Card>[] {
  return cardColumns((card) => {
    const reason = disabledReason?.(card);
    return (
      <>
        {card.holderName}
        {reason && (
          <Text size="xs" c="dimmed">
            {reason}
          </Text>
        )}
      </>
    );
  });
}

/** A card row's check box is named by its number and holder. */
export const cardRowLabel: RowSelection<Card>["rowLabel"] = (card) =>
  `Select card ${card.cardNumber} of ${card.holderName}`;

/**
 * The card's template and, for a chip card, its chip: the token serial once personalised (the
 * card's identity on the station's readers), "chip card" before.
 */
function TemplateCell({ card }: { card: Card }) {
  const templates = useTemplates();
  const chip =
    card.tokenSerial ??
    (templates.data?.find((t) => t.name === card.template)?.encoder === "pkcs11" ? "" : undefined);
  return (
    <>
      {card.template}
      {chip !== undefined && (
        <Text size="xs" c="dimmed" className={chip ? "mono" : undefined}>
          {chip ? `chip ${chip}` : "chip card"}
        </Text>
      )}
    </>
  );
}
