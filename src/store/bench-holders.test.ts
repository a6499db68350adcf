import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { insertBenchHolders } from "./bench-holders.js";
import { upsertCardTemplates } from "./card-templates.js";
import { openStore, type Store } from "./database.js";

describe.each(dialects)("the benchmarks' holders inserted in bulk on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    await upsertCardTemplates(store.db, demoTemplates, "2026-01-01T00:00:00.000Z");
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("gives each holder one card and each produced card two certificates, over several statements", async () => {
    const life = { expiresAt: "2027-01-01T00:00:00.000Z", certificateDer: Buffer.from([0x30, 0x00]) };
    await insertBenchHolders(store, 600, "active", 0, life);
    await insertBenchHolders(store, 5, "approved", 600);
    const count = async (table: "users" | "cards" | "certificates", state: string) =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .where("state", "=", state)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count("users", "active")).toBe(605);
    expect([await count("cards", "active"), await count("cards", "approved")]).toEqual([600, 5]);
    expect(await count("certificates", "valid")).toBe(1200);
  });
});
