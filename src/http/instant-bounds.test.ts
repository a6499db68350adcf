import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCards } from "../store/cards.js";
import { insertUser } from "../store/users.js";
import { dialects } from "../test-support/databases.js";
import { newCard } from "../test-support/store.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { newUser } from "../test-support/users.js";

/**
 * Issue 13's attack on the lists' filters: instants are stored as toISOString writes them
 * ("…T00:00:00.000Z") and compared as text, so a bound written otherwise ("…T00:00:00Z", an
 * offset) compared wrongly: `requestedFrom=2026-01-01T00:00:00Z` left out a card requested at
 * that very instant, and `requestedTo` with the same bound let in one requested half a second
 * after it ("." sorts before "Z").
 */
describe.each(dialects)("instants in list filters on %s", (dialect) => {
  let t: TestApp;
  let admin: ReturnType<typeof apiAs>;
  const requested = {
    before: "2025-12-31T23:59:59.999Z",
    at: "2026-01-01T00:00:00.000Z",
    after: "2026-01-01T00:00:00.500Z",
  };
  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = apiAs(t.server, await t.login("admin"));
    const db = t.app.services.store.db;
    await insertUser(
      db,
      newUser({ id: "holder", identifier: "H-1", firstName: "Ida", lastName: "Bound", email: "ida@x.org" }),
      requested.before,
    );
    for (const [i, [name, at]] of Object.entries(requested).entries())
      await insertCards(
        db,
        [
          newCard({
            id: name,
            cardNumber: `${990_000 + i}`,
            userId: "holder",
            state: "requested",
            holderName: "Ida",
          }),
        ],
        at,
      );
  });
  afterAll(() => t.close());

  const cardsWhere = async (query: string) => {
    const r = await admin("GET", `/api/v1/cards?userId=holder&${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.items.map((card: { id: string }) => card.id).sort();
  };

  it.each(["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z", "2026-01-01T01:00:00+01:00", "2026-01-01"])(
    "pages the cards requested from %s and before it apart, at the instant itself from",
    async (bound) => {
      expect(await cardsWhere(`requestedFrom=${encodeURIComponent(bound)}`)).toEqual(["after", "at"]);
      expect(await cardsWhere(`requestedTo=${encodeURIComponent(bound)}`)).toEqual(["before"]);
    },
  );

  it("reads the audit log's window the same way", async () => {
    const at = (await admin("GET", "/api/v1/audit?limit=1&order=asc")).body.items[0].at as string;
    expect(at).toMatch(/\.\d{3}Z$/);
    const whole = at.replace(/\.\d{3}Z$/, "Z");
    const from = await admin("GET", `/api/v1/audit?limit=500&from=${encodeURIComponent(at)}`);
    const fromWhole = await admin("GET", `/api/v1/audit?limit=500&from=${encodeURIComponent(whole)}`);
    // The oldest entry's own second, written without milliseconds, is before or at it.
    expect(fromWhole.body.total).toBeGreaterThanOrEqual(from.body.total);
  });

  it("refuses an instant it cannot compare with a clear 400", async () => {
    const r = await admin("GET", "/api/v1/cards?requestedFrom=2026-02-30");
    expect([r.status, r.body.error.code]).toEqual([400, "request.invalid"]);
  });
});
