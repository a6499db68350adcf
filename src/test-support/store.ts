import { afterAll, beforeAll } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { upsertCardTemplates } from "../store/card-templates.js";
import { insertCards, type NewCard } from "../store/cards.js";
import { type Db, type Dialect, openStore, type Store } from "../store/database.js";
import { insertUser } from "../store/users.js";
import { createTestDatabase, type TestDatabase } from "./databases.js";
import { newUser } from "./users.js";

/**
 * For a suite of store tests: before its tests, a fresh database of `dialect` opened as the store,
 * holding the demo's card templates (written at `templatesAt`) and what `fill` writes, if
 * anything; after them, closed and dropped. Read `db` inside the tests, once the suite has started.
 */
export function storeForSuite(
  dialect: Dialect,
  fill: (db: Db) => Promise<void> = async () => {},
  templatesAt = "2026-01-01T00:00:00.000Z",
): { readonly db: Db } {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    await upsertCardTemplates(store.db, demoTemplates, templatesAt);
    await fill(store.db);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return {
    get db() {
      if (!store) throw new Error("the store opens before the suite's tests");
      return store.db;
    },
  };
}

/** A card row to insert with only the fields a test names: an Employee ID someone requested. */
export function newCard(
  fields: Pick<NewCard, "id" | "cardNumber" | "userId" | "state" | "holderName"> & Partial<NewCard>,
): NewCard {
  return {
    template: "Employee ID",
    organizationalUnit: null,
    requestedBy: "test",
    decidedBy: null,
    ...fields,
  };
}

/**
 * One holder, `F L` (user `userId`), and `count` approved cards of theirs: `c0`, `c1`, … numbered
 * `${numberFrom + i}`, each with what `more` adds.
 */
export async function insertHolderWithCards(
  db: Db,
  holder: { userId: string; count: number; numberFrom: number; at: string },
  more: Partial<NewCard> = {},
): Promise<void> {
  const { userId, count, numberFrom, at } = holder;
  await insertUser(
    db,
    newUser({
      id: userId,
      identifier: userId,
      firstName: "F",
      lastName: "L",
      email: `${userId}@example.org`,
    }),
    at,
  );
  await insertCards(
    db,
    Array.from({ length: count }, (_, i) =>
      newCard({
        id: `c${i}`,
        cardNumber: `${numberFrom + i}`,
        userId,
        state: "approved",
        holderName: "F L",
        ...more,
      }),
    ),
    at,
  );
}
