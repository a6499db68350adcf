import { describe, expect, it } from "vitest";
import type { CardState } from "../domain/card-states.js";
import { dialects } from "../test-support/databases.js";
import { newCard, storeForSuite } from "../test-support/store.js";
import { newUser } from "../test-support/users.js";
import { readCardsWithHolders } from "./card-export.js";
import { transitionCards } from "./card-transitions.js";
import { countExpiringCards, insertCards, searchCards } from "./cards.js";
import { insertUser, searchUsers } from "./users.js";

/**
 * The cards of the test: each reaches its state through the state model (approved → issued →
 * …), its end set when it is issued as a batch sets it. The expected answers below are
 * written from this table by hand.
 */
const cards: { id: string; user: string; template: string; path: CardState[]; expiresAt?: string }[] = [
  { id: "e1", user: "u0", template: "Employee ID", path: ["issued"], expiresAt: "2026-03-10T00:00:00.000Z" },
  {
    id: "e2",
    user: "u1",
    template: "Employee ID",
    path: ["issued", "active"],
    expiresAt: "2026-04-15T12:00:00.000Z",
  },
  {
    id: "e3",
    user: "u2",
    template: "Contractor badge",
    path: ["issued", "active"],
    expiresAt: "2026-05-20T00:00:00.000Z",
  },
  {
    id: "e4",
    user: "u3",
    template: "Contractor badge",
    path: ["issued"],
    expiresAt: "2026-07-01T00:00:00.000Z",
  },
  {
    id: "e5",
    user: "u4",
    template: "Employee ID",
    path: ["issued", "active", "inactive"],
    expiresAt: "2026-03-05T00:00:00.000Z",
  },
  {
    id: "e6",
    user: "u4",
    template: "Employee ID",
    path: ["issued", "active", "locked"],
    expiresAt: "2026-03-05T00:00:00.000Z",
  },
  { id: "e7", user: "u5", template: "Employee ID", path: [] },
];

describe.each(dialects)("expiring cards on %s", (dialect) => {
  const suite = storeForSuite(dialect, async (db) => {
    for (let i = 0; i < 6; i++)
      await insertUser(
        db,
        newUser({
          id: `u${i}`,
          identifier: `X${i}`,
          firstName: `F${i}`,
          lastName: `L${i}`,
          email: `u${i}@example.org`,
        }),
        "2026-01-01T00:00:00.000Z",
      );
    for (const [i, card] of cards.entries()) {
      const at = `2026-02-01T00:00:0${i}.000Z`;
      await insertCards(
        db,
        [
          newCard({
            id: card.id,
            cardNumber: `900${i}`,
            userId: card.user,
            template: card.template,
            state: "approved",
            holderName: `F L${i}`,
            decidedBy: "approver",
          }),
        ],
        at,
      );
      let from: CardState = "approved";
      for (const to of card.path) {
        const changes = to === "issued" ? { issuedAt: at, expiresAt: card.expiresAt } : {};
        expect(await transitionCards(db, { ids: [card.id], from, to, at, changes })).toBe(1);
        from = to;
      }
    }
  });

  const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

  it("finds the cards in use that end strictly before the instant, with their total", async () => {
    const before = await searchCards(suite.db, { expiresBefore: "2026-04-15T12:00:00.000Z" }, { limit: 10 });
    expect([ids(before), before.total]).toEqual([["e1"], 1]);
    const after = await searchCards(suite.db, { expiresBefore: "2026-04-15T12:00:00.001Z" }, { limit: 10 });
    expect([ids(after), after.total]).toEqual([["e1", "e2"], 2]);
    const all = await searchCards(suite.db, { expiresBefore: "2027-01-01T00:00:00.000Z" }, { limit: 2 });
    expect([ids(all), all.total]).toEqual([["e1", "e2"], 4]);
    const rest = await searchCards(
      suite.db,
      { expiresBefore: "2027-01-01T00:00:00.000Z" },
      { cursor: all.nextCursor!, limit: 2 },
    );
    expect([ids(rest), rest.nextCursor]).toEqual([["e3", "e4"], null]);
  });

  it("combines with the other filters", async () => {
    const active = await searchCards(
      suite.db,
      { state: "active", expiresBefore: "2026-06-01T00:00:00.000Z" },
      { limit: 10 },
    );
    expect(ids(active)).toEqual(["e2", "e3"]);
    const contractor = await searchCards(
      suite.db,
      { template: "Contractor badge", expiresBefore: "2026-06-01T00:00:00.000Z" },
      { limit: 10 },
    );
    expect([ids(contractor), contractor.total]).toEqual([["e3"], 1]);
    // An inactive or locked card is not expiring, whatever its end.
    const locked = await searchCards(
      suite.db,
      { state: "locked", expiresBefore: "2027-01-01T00:00:00.000Z" },
      { limit: 10 },
    );
    expect(ids(locked)).toEqual([]);
  });

  it("finds the users who hold such a card", async () => {
    const users = await searchUsers(suite.db, { expiresBefore: "2026-06-01T00:00:00.000Z" }, { limit: 10 });
    expect([ids(users), users.total]).toEqual([["u0", "u1", "u2"], 3]);
    const none = await searchUsers(suite.db, { expiresBefore: "2026-03-06T00:00:00.000Z" }, { limit: 10 });
    expect(ids(none)).toEqual([]);
  });

  it("counts the cards in use per template within each bound, in one answer", async () => {
    const bounds = ["2026-03-31T00:00:00.000Z", "2026-04-30T00:00:00.000Z", "2026-05-30T00:00:00.000Z"];
    expect(await countExpiringCards(suite.db, bounds)).toEqual([
      { template: "Contractor badge", counts: [0, 0, 1] },
      { template: "Employee ID", counts: [1, 2, 2] },
    ]);
    expect(await countExpiringCards(suite.db, ["2026-03-01T00:00:00.000Z"])).toEqual([]);
  });

  it("reads a whole search through, page by page, with each card's holder", async () => {
    const pages: { card: string; email: string | undefined }[][] = [];
    for await (const rows of readCardsWithHolders(suite.db, { expiresBefore: "2027-01-01" }, 3))
      pages.push(rows.map((row) => ({ card: row.card.id, email: row.holder?.email })));
    expect(pages).toEqual([
      [
        { card: "e1", email: "u0@example.org" },
        { card: "e2", email: "u1@example.org" },
        { card: "e3", email: "u2@example.org" },
      ],
      [{ card: "e4", email: "u3@example.org" }],
    ]);
  });
});
