import type { Db } from "./database.js";
import { selectInSlices } from "./in-slices.js";

/** Ids of the objects to name, by kind. */
export interface ObjectIds {
  readonly cards?: readonly string[];
  readonly batches?: readonly string[];
  readonly users?: readonly string[];
  /** Serials (lower-case hex), as the history names certificates. */
  readonly certificates?: readonly string[];
  readonly operators?: readonly string[];
  /** API tokens' ids. */
  readonly tokens?: readonly string[];
}

/** A certificate as people name it: its profile on the card it was issued for. */
export interface CertificateName {
  readonly profile: string;
  readonly cardId: string | null;
  readonly cardNumber: string | null;
}

/** How people name objects: cards by their printed number, batches by theirs, users by name. */
export interface ObjectNames {
  readonly cards: ReadonlyMap<string, string>;
  readonly batches: ReadonlyMap<string, number>;
  readonly users: ReadonlyMap<string, string>;
  readonly certificates: ReadonlyMap<string, CertificateName>;
  /** Operators by username. */
  readonly operators: ReadonlyMap<string, string>;
  /** API tokens by their name and their operator's username. */
  readonly tokens: ReadonlyMap<string, { name: string; username: string | null }>;
}

const unique = (ids: readonly string[] | undefined) => [...new Set(ids ?? [])];

/**
 * The names of these objects, for lists that would otherwise show ids (the object history,
 * certificates' cards). An id of no such object is left out.
 */
export async function findObjectNames(db: Db, ids: ObjectIds): Promise<ObjectNames> {
  const [cards, batches, users, certificates, operators, tokens] = await Promise.all([
    selectInSlices(unique(ids.cards), 1000, (slice) =>
      db.selectFrom("cards").select(["id", "card_number"]).where("id", "in", slice).execute(),
    ),
    selectInSlices(unique(ids.batches), 1000, (slice) =>
      db.selectFrom("batches").select(["id", "number"]).where("id", "in", slice).execute(),
    ),
    selectInSlices(unique(ids.users), 1000, (slice) =>
      db.selectFrom("users").select(["id", "first_name", "last_name"]).where("id", "in", slice).execute(),
    ),
    selectInSlices(unique(ids.certificates), 1000, (slice) =>
      db
        .selectFrom("certificates")
        .leftJoin("cards", "cards.id", "certificates.card_id")
        .select(["certificates.serial", "certificates.profile", "certificates.card_id", "cards.card_number"])
        .where("certificates.serial", "in", slice)
        .execute(),
    ),
    selectInSlices(unique(ids.operators), 1000, (slice) =>
      db.selectFrom("operators").select(["id", "username"]).where("id", "in", slice).execute(),
    ),
    selectInSlices(unique(ids.tokens), 1000, (slice) =>
      db
        .selectFrom("api_tokens")
        .leftJoin("operators", "operators.id", "api_tokens.operator_id")
        .select(["api_tokens.id", "api_tokens.name", "operators.username"])
        .where("api_tokens.id", "in", slice)
        .execute(),
    ),
  ]);
  return {
    cards: new Map(cards.map((row) => [row.id, row.card_number])),
    batches: new Map(batches.map((row) => [row.id, Number(row.number)])),
    users: new Map(users.map((row) => [row.id, `${row.first_name} ${row.last_name}`])),
    certificates: new Map(
      certificates.map((row) => [
        row.serial,
        { profile: row.profile, cardId: row.card_id, cardNumber: row.card_number ?? null },
      ]),
    ),
    operators: new Map(operators.map((row) => [row.id, row.username])),
    tokens: new Map(tokens.map((row) => [row.id, { name: row.name, username: row.username ?? null }])),
  };
}
