import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { newUser } from "../test-support/users.js";
import { upsertCardTemplates } from "./card-templates.js";
import { transitionCards } from "./card-transitions.js";
import { findCardById, insertCards } from "./cards.js";
import { openStore, type Store } from "./database.js";
import { insertUser } from "./users.js";

const at = "2026-01-01T00:00:00.000Z";

describe.each(dialects)("card state changes on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    await upsertCardTemplates(store.db, demoTemplates, at);
    await insertUser(
      store.db,
      newUser({
        id: "u1",
        identifier: "ID1",
        firstName: "Anna",
        lastName: "Berg",
        email: "anna@example.org",
      }),
      at,
    );
    await insertCards(
      store.db,
      ["c1", "c2", "c3"].map((id, i) => ({
        id,
        cardNumber: `${1000 + i}`,
        userId: "u1",
        template: "Employee ID",
        state: id === "c3" ? ("requested" as const) : ("approved" as const),
        holderName: "Anna Berg",
        holderKey: "berg anna",
        organizationalUnit: null,
        requestedBy: "test",
        decidedBy: null,
      })),
      at,
    );
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("refuses a change the state model does not hold, before writing anything", async () => {
    await expect(
      transitionCards(store.db, { ids: ["c1"], from: "approved", to: "locked", at }),
    ).rejects.toThrow("cannot go from approved to locked");
    await expect(
      transitionCards(store.db, { ids: ["c1"], from: ["approved", "requested"], to: "issued", at }),
    ).rejects.toThrow("cannot go from requested to issued");
    expect((await findCardById(store.db, "c1"))?.state).toBe("approved");
  });

  it("changes only the cards still in a state it may leave, and counts them", async () => {
    const changed = await transitionCards(store.db, {
      ids: ["c1", "c2", "c3"],
      from: "approved",
      to: "failed",
      at: "2026-01-02T00:00:00.000Z",
      changes: { reason: "broken chip" },
    });
    expect(changed).toBe(2);
    const c1 = await findCardById(store.db, "c1");
    expect(c1).toMatchObject({ state: "failed", reason: "broken chip", version: 2 });
    expect((await findCardById(store.db, "c3"))?.state).toBe("requested");
  });

  it("keeps optimistic concurrency: a stale version changes nothing", async () => {
    expect(
      await transitionCards(store.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 7 }),
    ).toBe(0);
    expect(
      await transitionCards(store.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 1 }),
    ).toBe(1);
  });
});
