import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { newCard, storeForSuite } from "../test-support/store.js";
import { newUser } from "../test-support/users.js";
import { transitionCards, transitionEachCard } from "./card-transitions.js";
import { findCardById, insertCards } from "./cards.js";
import { insertUser } from "./users.js";

const at = "2026-01-01T00:00:00.000Z";

describe.each(dialects)("card state changes on %s", (dialect) => {
  const suite = storeForSuite(dialect, async (db) => {
    await insertUser(
      db,
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
      db,
      ["c1", "c2", "c3", "c4", "c5", "c6", "c7"].map((id, i) =>
        newCard({
          id,
          cardNumber: `${1000 + i}`,
          userId: "u1",
          state: id === "c3" ? "requested" : "approved",
          holderName: "Anna Berg",
        }),
      ),
      at,
    );
  });

  it("refuses a change the state model does not hold, before writing anything", async () => {
    await expect(
      transitionCards(suite.db, { ids: ["c1"], from: "approved", to: "locked", at }),
    ).rejects.toThrow("cannot go from approved to locked");
    await expect(
      transitionCards(suite.db, { ids: ["c1"], from: ["approved", "requested"], to: "issued", at }),
    ).rejects.toThrow("cannot go from requested to issued");
    expect((await findCardById(suite.db, "c1"))?.state).toBe("approved");
  });

  it("changes only the cards still in a state it may leave, and counts them", async () => {
    const changed = await transitionCards(suite.db, {
      ids: ["c1", "c2", "c3"],
      from: "approved",
      to: "failed",
      at: "2026-01-02T00:00:00.000Z",
      changes: { reason: "broken chip" },
    });
    expect(changed).toBe(2);
    const c1 = await findCardById(suite.db, "c1");
    expect(c1).toMatchObject({ state: "failed", reason: "broken chip", version: 2 });
    expect((await findCardById(suite.db, "c3"))?.state).toBe("requested");
  });

  it("keeps optimistic concurrency: a stale version changes nothing", async () => {
    expect(
      await transitionCards(suite.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 7 }),
    ).toBe(0);
    expect(
      await transitionCards(suite.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 1 }),
    ).toBe(1);
  });

  it("changes each card of a chunk in its own way, only those the batch still holds", async () => {
    // c4–c6 are held by batch b1; c7 by another batch.
    const holdBy = (batchId: string, ids: string[]) =>
      suite.db.updateTable("cards").set({ batch_id: batchId }).where("id", "in", ids).execute();
    await holdBy("b1", ["c4", "c5", "c6"]);
    await holdBy("b2", ["c7"]);
    const later = "2026-01-03T00:00:00.000Z";
    const issued = (id: string, puk: string, expiresAt: string) => ({
      id,
      to: "issued" as const,
      changes: { batchId: null, issuedAt: later, expiresAt, pukEncrypted: puk, reason: null },
    });
    await expect(
      transitionEachCard(suite.db, {
        from: "approved",
        at: later,
        heldBy: "b1",
        cards: [issued("c4", "puk-4", "2030-01-04"), { id: "c5", to: "locked", changes: {} }],
      }),
    ).rejects.toThrow("cannot go from approved to locked");
    expect((await findCardById(suite.db, "c4"))?.state).toBe("approved");

    const changed = await transitionEachCard(suite.db, {
      from: "approved",
      at: later,
      heldBy: "b1",
      cards: [
        issued("c4", "puk-4", "2030-01-04"),
        { id: "c5", to: "failed", changes: { batchId: null, reason: "photo unreadable" } },
        issued("c6", "puk-6", "2030-01-06"),
        issued("c7", "puk-7", "2030-01-07"),
      ],
    });
    expect(changed).toBe(3);
    expect(await findCardById(suite.db, "c4")).toMatchObject({
      state: "issued",
      batchId: null,
      issuedAt: later,
      expiresAt: "2030-01-04",
      version: 2,
      updatedAt: later,
    });
    expect(await findCardById(suite.db, "c6")).toMatchObject({ state: "issued", expiresAt: "2030-01-06" });
    expect(await findCardById(suite.db, "c5")).toMatchObject({
      state: "failed",
      reason: "photo unreadable",
      batchId: null,
      issuedAt: null,
    });
    expect(await findCardById(suite.db, "c7")).toMatchObject({
      state: "approved",
      batchId: "b2",
      version: 1,
    });
    const puks = await suite.db
      .selectFrom("cards")
      .select(["id", "puk_encrypted"])
      .where("id", "in", ["c4", "c5", "c6", "c7"])
      .orderBy("id")
      .execute();
    expect(puks.map((row) => row.puk_encrypted)).toEqual(["puk-4", null, "puk-6", null]);
  });
});
