import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { formatCardNumber } from "../domain/card-number.js";
import type { CardState } from "../domain/card-states.js";
import { type Store, transact } from "./database.js";

/** Fixtures of the benchmarks (`src/bench/`): many holders at once, and fresh planner statistics. */

/**
 * N users with one Employee ID card each in `state`, inserted in bulk for the benchmarks (set-up,
 * not measured): numbered from `offset`, so several calls make distinct holders and cards.
 */
export async function insertBenchHolders(
  store: Store,
  count: number,
  state: CardState = "approved",
  offset = 0,
): Promise<void> {
  const at = new Date().toISOString();
  for (let start = 0; start < count; start += 2000) {
    const n = Math.min(2000, count - start);
    const i = offset + start;
    const users = Array.from({ length: n }, (_, k) => {
      const j = i + k;
      return {
        id: randomUUID(),
        identifier: `BENCH-${j}`,
        first_name: `Holder${j % 997}`,
        last_name: `Bench${j % 1009}`,
        email: `holder${j}@example.org`,
        organizational_unit: `Unit ${j % 20}`,
        organization: "Tessera Bench Office",
        title: null,
        upn: null,
        address: JSON.stringify([`Storgatan ${(j % 90) + 1}`, "111 20 Stockholm"]),
        photo: null,
        photo_type: null,
        state: "active",
        search_name: `bench${j % 1009} holder${j % 997}`,
        created_by: "bench",
        created_at: at,
        updated_at: at,
      };
    });
    await transact(store, async (trx) => {
      for (let k = 0; k < users.length; k += 500)
        await trx
          .insertInto("users")
          .values(users.slice(k, k + 500))
          .execute();
      const cards = users.map((u, k) => ({
        id: randomUUID(),
        card_number: formatCardNumber("9", 9, i + k + 1),
        user_id: u.id,
        template: "Employee ID",
        state,
        holder_name: `${u.first_name} ${u.last_name}`,
        holder_key: u.search_name,
        organizational_unit: u.organizational_unit,
        batch_id: null,
        version: 1,
        requested_by: "bench",
        requested_at: new Date(Date.parse(at) + i + k).toISOString(),
        decided_by: "bench",
        decided_at: at,
        reason: null,
        puk_encrypted: null,
        issued_at: null,
        expires_at: null,
        updated_at: at,
      }));
      for (let k = 0; k < cards.length; k += 500)
        await trx
          .insertInto("cards")
          .values(cards.slice(k, k + 500))
          .execute();
    });
  }
}

/** Fresh planner statistics after a bulk load, as a deployment's own maintenance would keep them. */
export async function analyzeTables(store: Store): Promise<void> {
  await (store.dialect === "postgres" ? sql`vacuum analyze` : sql`analyze`).execute(store.db);
}
