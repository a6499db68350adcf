import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { newUser } from "../test-support/users.js";
import { upsertCardTemplates } from "./card-templates.js";
import { insertCards, searchCards } from "./cards.js";
import { openStore, type Store } from "./database.js";
import { findUserById, insertUser, searchName, searchUsers, updateUser } from "./users.js";

/**
 * Issue 13, "search that people expect": a holder is found by the start of any word of their
 * first name, last name or name on card, in any order and case, with accents on Latin letters
 * ignored; and nothing an operator types is ever read as SQL or as search syntax.
 */
describe.each(dialects)("name search on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;
  const at = "2026-01-01T00:00:00.000Z";
  // [id, first name, last name, name on card]
  const people: [string, string, string, string | null][] = [
    ["anna", "Anna", "Maria-Magdalena Svensson", null],
    ["zoe", "Zoë", "Dvořák-Núñez", null],
    ["jose", "Jose", "Garcia", null],
    ["kj", "Karl-Johan", "O'Brien", "KJ O'Brien"],
    ["near", "Or", "Near", null],
    ["oster", "Åsa", "Øster", null],
    ["marianne", "Marianne", "Berg", null],
  ];

  const userIds = async (q: string) =>
    (await searchUsers(store.db, { q }, { limit: 50 })).items.map((u) => u.id).sort();
  const cardHolders = async (q: string) =>
    (await searchCards(store.db, { q, state: "requested" }, { limit: 50 })).items.map((c) => c.userId).sort();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    await upsertCardTemplates(store.db, demoTemplates, at);
    for (const [i, [id, firstName, lastName, nameOnCard]] of people.entries()) {
      await insertUser(
        store.db,
        newUser({ id, identifier: `ID-${id}`, firstName, lastName, nameOnCard, email: `${id}@example.org` }),
        at,
      );
      await insertCards(
        store.db,
        [
          {
            id: `card-${id}`,
            cardNumber: `${5000 + i}`,
            userId: id,
            template: "Employee ID",
            state: "requested",
            holderName: `${firstName} ${lastName}`,
            holderKey: searchName(lastName, firstName),
            organizationalUnit: null,
            requestedBy: "test",
            decidedBy: null,
          },
        ],
        at,
      );
    }
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("finds a holder by the start of any word of the name, in any order and case", async () => {
    for (const q of ["magd", "Magdalena", "MARIA-MAGDALENA", "svens anna", "anna svensson maria"])
      expect(await userIds(q), q).toEqual(["anna"]);
    // A word must start a word of the name: "nna" is inside "Anna", not at its start.
    expect(await userIds("nna")).toEqual([]);
    // Every word must match: "bo" starts no word of Anna's name.
    expect(await userIds("magdalena bo")).toEqual([]);
    // "maria" starts "Maria" and "Marianne": both.
    expect(await userIds("maria")).toEqual(["anna", "marianne"]);
  });

  it("finds the same holders' requested cards", async () => {
    expect(await cardHolders("magdalena")).toEqual(["anna"]);
    expect(await cardHolders("svens anna")).toEqual(["anna"]);
    expect(await cardHolders("mari")).toEqual(["anna", "marianne"]);
    expect((await searchCards(store.db, { q: "magdalena", state: "approved" }, { limit: 50 })).total).toBe(0);
    // A card number still finds its card.
    expect(await cardHolders("5003")).toEqual(["kj"]);
  });

  it("ignores accents on Latin letters, typed or stored", async () => {
    for (const q of ["zoe", "ZOË", "dvorak", "núñez", "nunez", "dvořák zoe"])
      expect(await userIds(q), q).toEqual(["zoe"]);
    for (const q of ["josé", "García"]) expect(await userIds(q), q).toEqual(["jose"]);
    // Å carries a ring, Ø is a letter of its own: typed as it is, it is found.
    for (const q of ["asa", "Åsa øster", "ØSTER"]) expect(await userIds(q), q).toEqual(["oster"]);
    expect(await cardHolders("nunez")).toEqual(["zoe"]);
  });

  it("finds a holder by the name on card, and apostrophes part words", async () => {
    expect(await userIds("kj")).toEqual(["kj"]);
    expect(await userIds("karl johan")).toEqual(["kj"]);
    expect(await userIds("o'brien")).toEqual(["kj"]);
    expect(await userIds("brien")).toEqual(["kj"]);
    expect(await cardHolders("kj brien")).toEqual(["kj"]);
  });

  it("reads SQL and search syntax as plain text, never as a command", async () => {
    // Nothing but punctuation: no word, so no name matches, and nothing fails.
    for (const q of ["%", "_", "'", '"', "*", "-", "^", "''", '"*"', "\\", ":", "(", ")", "%_%", "'; --"]) {
      expect(await userIds(q), q).toEqual([]);
      expect(await cardHolders(q), q).toEqual([]);
    }
    // FTS5's operators are names here: "Or Near" is a holder.
    for (const q of ["NEAR", "OR", "near or", "NEAR(or)", "or AND near", "NOT near"])
      expect(await userIds(q), q).toEqual(q.includes("AND") || q.includes("NOT") ? [] : ["near"]);
    // Punctuation around a word only parts it: the word still counts.
    for (const q of [
      "anna*",
      "^anna",
      "-anna",
      "anna -svensson",
      '"anna"',
      "anna%",
      "an_na",
      "first_name:anna",
    ]) {
      const expected = q === "an_na" ? [] : q === "first_name:anna" ? [] : ["anna"];
      expect(await userIds(q), q).toEqual(expected);
      expect(await cardHolders(q), q).toEqual(expected);
    }
    expect(await userIds("'; drop table users; --")).toEqual([]);
    expect((await searchUsers(store.db, {}, { limit: 1 })).total).toBe(people.length);
  });

  it("follows a change of name or name on card at once", async () => {
    const user = (await findUserById(store.db, "marianne"))!;
    expect(
      await updateUser(
        store.db,
        user.id,
        user.version,
        { name: { firstName: "Marianne", lastName: "Ek-Holm" } },
        at,
      ),
    ).toBe(true);
    expect(await userIds("berg")).toEqual([]);
    expect(await userIds("holm marianne")).toEqual(["marianne"]);
    expect(await cardHolders("holm")).toEqual(["marianne"]);
    const renamed = (await findUserById(store.db, "marianne"))!;
    await updateUser(store.db, renamed.id, renamed.version, { nameOnCard: "M. Ek-Holm" }, at);
    expect(await userIds("m ek")).toEqual(["marianne"]);
    const again = (await findUserById(store.db, "marianne"))!;
    await updateUser(store.db, again.id, again.version, { email: "m@example.org" }, at);
    expect(await userIds("holm")).toEqual(["marianne"]);
  });

  it("still finds a user by identifier or e-mail", async () => {
    expect(await userIds("ID-jose")).toEqual(["jose"]);
    expect(await userIds("Jose@Example.org")).toEqual(["jose"]);
  });
});
