import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { claimCards, insertBatch } from "./batches.js";

const at = "2026-01-01T00:00:00.000Z";
// More cards than one statement claims, so that each order claims in several.
const cards = 10_001;

describe.runIf(dialects.includes("postgres"))(
  "two orders claiming the same many cards at once, on PostgreSQL",
  () => {
    const suite = storeForSuite("postgres", (db) =>
      insertHolderWithCards(db, { userId: "u1", count: cards, numberFrom: 100_000, at }),
    );

    it("split them, neither failing, whatever order each operator chose", async () => {
      const ids = Array.from({ length: cards }, (_, i) => `c${i}`);
      for (const id of ["first", "second"])
        await insertBatch(
          suite.db,
          {
            id,
            process: "CardsBoProcActivateMultiple",
            options: {},
            createdBy: "o1",
            createdByName: "operator",
            chunks: 0,
            total: 0,
          },
          at,
        );
      // In opposite orders, in slices of the operator's order each would first lock rows the other
      // wants next, and PostgreSQL would fail one of them as a deadlock.
      const [first, second] = await Promise.all(
        [
          { batchId: "first", order: ids },
          { batchId: "second", order: [...ids].reverse() },
        ].map(({ batchId, order }) =>
          suite.db
            .transaction()
            .execute((trx) => claimCards(trx, "postgres", batchId, order, at, "approved")),
        ),
      );
      expect(first!.length + second!.length).toBe(cards);
      expect(new Set([...first!, ...second!]).size).toBe(cards);
    }, 60_000);
  },
);
