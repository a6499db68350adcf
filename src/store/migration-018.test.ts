import { sql } from "kysely";
import { expect } from "vitest";
import { describeUpgrade, findUserIds } from "../test-support/migration-upgrade.js";

/**
 * Migration 018 on a database that already holds users: their names are indexed as they are,
 * so a holder registered before the upgrade is found by a word inside the last name at once.
 */
describeUpgrade(
  "018-name-search",
  "earlier users",
  "indexes the names of the users made before it",
  async ({ db, store, migrate, migrateRest, at }) => {
    for (const [id, first, last, onCard] of [
      ["u1", "Anna", "Maria-Magdalena Svensson", null],
      ["u2", "Zoë", "Núñez", "Zoe N."],
    ])
      await sql`insert into users (id, identifier, first_name, last_name, name_on_card, email, state, search_name, created_by, created_at, updated_at)
                values (${id}, ${id}, ${first}, ${last}, ${onCard}, ${`${id}@example.org`}, 'active', ${`${last} ${first}`.toLowerCase()}, 'admin', ${at}, ${at})`.execute(
        db,
      );

    await migrate();
    // The words 018 made must reach what searches today: on PostgreSQL, 019's table of words.
    await migrateRest();
    expect(await findUserIds(store, "magdalena")).toEqual(["u1"]);
    expect(await findUserIds(store, "nunez zoe")).toEqual(["u2"]);
    expect(await findUserIds(store, "n")).toEqual(["u2"]);
  },
);
