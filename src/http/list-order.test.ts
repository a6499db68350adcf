import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roles } from "../domain/roles.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

/** The people of the test, in the order they are registered. */
const people = [
  { firstName: "Berit", lastName: "Quist", identifier: "ORD-300" },
  { firstName: "Anders", lastName: "Quist", identifier: "ORD-100" },
  { firstName: "Cilla", lastName: "Quist", identifier: "ORD-200" },
];

describe.each(dialects)("the order of a list, asked with sort and order, on %s", (dialect) => {
  let t: TestApp;
  let registrar: ApiClient;
  let auditor: ApiClient;
  let chief: ApiClient;
  const cardNumbers: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    ({ registrar, auditor, chief } = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      auditor: ["auditor"],
      chief: [...roles],
    }));
    for (const person of people) {
      const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
        ...person,
        email: `${person.identifier.toLowerCase()}@office.example`,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      t.clock.advance(60_000);
      const card = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId: created.body.user.id,
        template: "Employee ID",
      });
      cardNumbers.push(card.body.card.cardNumber);
      t.clock.advance(60_000);
    }
  });
  afterAll(() => t.close());

  /** Every item of a search, read page by page with `limit` 1, so the cursor follows the order too. */
  async function readAll(client: ApiClient, url: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const answer = await client("GET", `${url}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return items;
  }

  it("refuses a cursor of one order for another, instead of answering a page of neither", async () => {
    const cases = [
      [registrar, "/api/v1/users?q=Quist&sort=identifier", "/api/v1/users?q=Quist"],
      [
        registrar,
        "/api/v1/cards?q=Quist&sort=cardNumber&order=desc",
        "/api/v1/cards?q=Quist&sort=cardNumber",
      ],
      [auditor, "/api/v1/audit?order=asc", "/api/v1/audit?order=desc"],
    ] as const;
    for (const [client, first, other] of cases) {
      const page = await client("GET", `${first}&limit=1`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.nextCursor).toBeTruthy();
      const again = await client("GET", `${first}&limit=1&cursor=${page.body.nextCursor}`);
      expect(again.status, first).toBe(200);
      const refused = await client("GET", `${other}&limit=1&cursor=${page.body.nextCursor}`);
      expect(refused.status, other).toBe(400);
      expect(refused.body.error.code).toBe("request.invalid_cursor");
    }
  });

  it("sorts users by name unless asked, and by identifier or registration either way", async () => {
    const names = (items: Record<string, unknown>[]) => items.map((u) => u.firstName);
    expect(names(await readAll(registrar, "/api/v1/users?q=Quist"))).toEqual(["Anders", "Berit", "Cilla"]);
    expect(names(await readAll(registrar, "/api/v1/users?q=Quist&order=desc"))).toEqual([
      "Cilla",
      "Berit",
      "Anders",
    ]);
    expect(names(await readAll(registrar, "/api/v1/users?q=Quist&sort=identifier"))).toEqual([
      "Anders",
      "Cilla",
      "Berit",
    ]);
    expect(names(await readAll(registrar, "/api/v1/users?q=Quist&sort=createdAt&order=desc"))).toEqual([
      "Cilla",
      "Anders",
      "Berit",
    ]);
  });

  it("sorts cards by request date unless asked, and by card number either way", async () => {
    const numbers = (items: Record<string, unknown>[]) => items.map((c) => c.cardNumber);
    expect(numbers(await readAll(registrar, "/api/v1/cards?q=Quist"))).toEqual(cardNumbers);
    expect(numbers(await readAll(registrar, "/api/v1/cards?q=Quist&order=desc"))).toEqual(
      [...cardNumbers].reverse(),
    );
    const byNumber = [...cardNumbers].sort();
    expect(numbers(await readAll(registrar, "/api/v1/cards?q=Quist&sort=cardNumber"))).toEqual(byNumber);
    expect(numbers(await readAll(registrar, "/api/v1/cards?q=Quist&sort=cardNumber&order=desc"))).toEqual(
      byNumber.reverse(),
    );
  });

  it("reads the history newest first unless asked for the oldest first", async () => {
    const newest = await auditor("GET", "/api/v1/audit?limit=3");
    const oldest = await auditor("GET", "/api/v1/audit?limit=3&order=asc");
    const seqs = (answer: typeof newest) => answer.body.items.map((entry: { seq: number }) => entry.seq);
    expect(seqs(oldest)).toEqual([1, 2, 3]);
    const newestSeqs = seqs(newest);
    expect(newestSeqs[0]).toBe(newest.body.total);
    expect(newestSeqs).toEqual([...newestSeqs].sort((a: number, b: number) => b - a));
  });

  it("refuses a sort or order the list does not have with 400, a code and a sentence", async () => {
    for (const url of [
      "/api/v1/users?sort=email",
      "/api/v1/cards?sort=holder",
      "/api/v1/cards?order=up",
      "/api/v1/certificates?sort=serial",
      "/api/v1/batches?sort=number",
      "/api/v1/audit?order=sideways",
    ]) {
      const answer = await chief("GET", url);
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe("request.invalid");
      expect(answer.body.error.message, url).toMatch(
        /^querystring\.(sort|order): Invalid (option|input): expected /,
      );
    }
  });
});
