import { sql } from "kysely";
import { expect } from "vitest";
import { describeUpgrade, insertOldTemplate, insertOldUser } from "../test-support/migration-upgrade.js";
import { findCardPuks, setPendingPuk, settleCardPuk } from "./card-puks.js";

/**
 * Migration 022 on a database that already holds chip cards with their PUKs: each keeps its PUK
 * and has no pending one; a pending PUK stored afterwards is settled either way, and a card
 * without one is left as it was.
 */
describeUpgrade(
  "022-pending-puk",
  "chip cards and their PUKs",
  "keeps every PUK, with no pending one, and settles pending PUKs stored afterwards",
  async ({ db, store, migrate, at }) => {
    await insertOldUser(db, { id: "u1", firstName: "Ann", lastName: "Old" }, at);
    await insertOldTemplate(db, at);
    for (const [id, puk] of [
      ["chip", "v1.old-chip-puk"],
      ["other", "v1.other-puk"],
      ["soft", null],
    ] as const)
      await sql`insert into cards (id, card_number, user_id, template, state, holder_name, version, requested_by, requested_at, puk_encrypted, token_serial, updated_at)
                values (${id}, ${`N-${id}`}, 'u1', 'Employee ID', 'active', 'Ann Old', 3, 'admin', ${at}, ${puk}, ${puk ? `serial-${id}` : null}, ${at})`.execute(
        db,
      );

    await migrate();
    expect(await findCardPuks(store, "chip")).toEqual({ stored: "v1.old-chip-puk", pending: null });
    expect(await findCardPuks(store, "soft")).toEqual({ stored: null, pending: null });
    // Nothing pending: nothing to settle, nothing changes.
    expect(await settleCardPuk(store, "chip", "pending")).toBe(false);
    expect(await findCardPuks(store, "chip")).toEqual({ stored: "v1.old-chip-puk", pending: null });

    await setPendingPuk(store, "chip", "v1.next-chip-puk");
    await setPendingPuk(store, "other", "v1.next-other-puk");
    expect(await settleCardPuk(store, "chip", "pending")).toBe(true);
    expect(await settleCardPuk(store, "other", "stored")).toBe(true);
    expect(await findCardPuks(store, "chip")).toEqual({ stored: "v1.next-chip-puk", pending: null });
    expect(await findCardPuks(store, "other")).toEqual({ stored: "v1.other-puk", pending: null });
  },
);
