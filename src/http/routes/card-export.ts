import { csvRecord, utf8ByteOrderMark } from "../../domain/csv-writer.js";
import { type CardWithHolder, readCardsWithHolders } from "../../store/card-export.js";
import type { CardFilter } from "../../store/cards.js";
import type { Db } from "../../store/database.js";

/** The export's columns, as a mail merge names its fields, and how each is read. */
const columns: [header: string, read: (row: CardWithHolder) => string | null | undefined][] = [
  ["Card number", ({ card }) => card.cardNumber],
  ["First name", ({ holder }) => holder?.firstName],
  ["Last name", ({ holder }) => holder?.lastName],
  ["Holder name", ({ card }) => card.holderName],
  ["E-mail", ({ holder }) => holder?.email],
  ["Organizational unit", ({ card, holder }) => holder?.organizationalUnit ?? card.organizationalUnit],
  ["Card template", ({ card }) => card.template],
  ["State", ({ card }) => card.state],
  ["Expires at", ({ card }) => card.expiresAt],
];

/**
 * A card search as CSV text, a page of records at a time (UTF-8 with its byte order mark, a
 * header record first): what `GET /api/v1/cards/export.csv` streams.
 */
export async function* cardsCsv(db: Db, filter: CardFilter): AsyncGenerator<string> {
  yield utf8ByteOrderMark + csvRecord(columns.map(([header]) => header));
  for await (const rows of readCardsWithHolders(db, filter))
    yield rows.map((row) => csvRecord(columns.map(([, read]) => read(row)))).join("");
}
