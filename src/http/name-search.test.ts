import { beforeAll, describe, expect, it } from "vitest";
import { createUser, requestCard, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";

/**
 * Issue 13: what an operator types in a search box reaches the name search as text. Search
 * syntax (FTS5's, PostgreSQL's tsquery) and SQL's wildcards and quotes answer 200 with what
 * matches, never a 5xx; and a holder is found by a word inside the last name.
 */
describe.each(dialects)("the name search through the API on %s", (dialect) => {
  const { ops } = testAppForSuite(dialect, { operators: ["registrar"] });
  const api = ops.registrar;
  beforeAll(async () => {
    const userId = await createUser(api, {
      firstName: "Anna",
      lastName: "Maria-Magdalena Svensson",
      email: "anna@office.example",
      identifier: "NS-1",
    });
    await requestCard(api, userId, "Employee ID");
  });

  it("finds the holder and the card by a word inside the last name", async () => {
    const users = await api("GET", "/api/v1/users?q=magdalena");
    expect(users.body.items.map((u: { lastName: string }) => u.lastName)).toEqual([
      "Maria-Magdalena Svensson",
    ]);
    const cards = await api("GET", `/api/v1/cards?q=${encodeURIComponent("svens ANNA")}`);
    expect(cards.body.total).toBe(1);
  });

  it.each([
    "%",
    "_",
    "'",
    '"',
    "*",
    "^",
    "-",
    "NEAR",
    "OR",
    "a OR b",
    "NEAR(anna maria)",
    "anna -svensson",
    "'; drop table users; --",
    '"anna',
    "anna:*",
    "!anna & (maria | x)",
    "\\",
  ])("answers %s with 200", async (q) => {
    for (const resource of ["users", "cards"]) {
      const r = await api("GET", `/api/v1/${resource}?q=${encodeURIComponent(q)}`);
      expect(r.status, `${resource} ${q}`).toBe(200);
      // Only queries whose words all start words of Anna's name find her.
      const expected = ["anna -svensson", '"anna', "anna:*"].includes(q) ? 1 : 0;
      expect(r.body.total, `${resource} ${q}`).toBe(expected);
    }
  });

  // Each word was one more prefix term, scanned twice per search (page and total): 100 words took
  // a second on 200,000 users, with SQLite's one connection held all that time.
  it("refuses more than six different words, naming q, and takes a word repeated as once", async () => {
    const many = Array.from({ length: 100 }, () => "a").join(" ");
    const repeated = await api("GET", `/api/v1/users?q=${encodeURIComponent(many)}`);
    expect(repeated.status).toBe(200);
    expect(repeated.body.total).toBe(1);
    const seven = "anna b c d e f g";
    for (const resource of ["users", "cards"]) {
      const refused = await api("GET", `/api/v1/${resource}?q=${encodeURIComponent(seven)}`);
      expect(refused.status, resource).toBe(400);
      expect(refused.body.error).toMatchObject({ code: "request.invalid", details: { field: "q" } });
      expect(refused.body.error.message).toContain("at most 6 words");
    }
  });
});
