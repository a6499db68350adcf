import { sql } from "kysely";
import { formatCardNumber } from "../domain/card-number.js";
import type { CardState } from "../domain/card-states.js";
import { type Store, transact } from "./database.js";
import { insertRowsInSlices } from "./in-slices.js";
import { newRowId } from "./row-ids.js";

/** Fixtures of the benchmarks (`src/bench/`): many holders at once, and fresh planner statistics. */

/** Produced cards' end and their certificates' bytes, for cards inserted as issued or later. */
export interface BenchCardLife {
  readonly expiresAt: string;
  /**
   * The DER stored for each of a card's two certificates. The benchmarks that use these rows
   * read states and dates, never the bytes, so one real certificate stands for all.
   */
  readonly certificateDer: Buffer;
}

/**
 * Holders a transaction inserts. 2,000 at a time grew the bench's heap by ≈ 50 MB while it
 * inserted 100,000 (rows, statements and their parameters outlived a young-generation
 * collection and were promoted), memory V8 then kept: it counted in the batch's peak RSS
 * though it was set-up. 500 at a time grew it by ≈ 25 MB.
 */
const holdersATransaction = 500;

/**
 * N users with one Employee ID card each in `state`, inserted in bulk for the benchmarks (set-up,
 * not measured): numbered from `offset`, so several calls make distinct holders and cards. With
 * `life`, each card ends then and has two certificates ending with it (valid for an active
 * card, on hold for an issued one, as production and activation leave them).
 */
export async function insertBenchHolders(
  store: Store,
  count: number,
  state: CardState = "approved",
  offset = 0,
  life?: BenchCardLife,
): Promise<void> {
  const at = new Date().toISOString();
  for (let start = 0; start < count; start += holdersATransaction) {
    const n = Math.min(holdersATransaction, count - start);
    const i = offset + start;
    const users = Array.from({ length: n }, (_, k) => {
      const j = i + k;
      return {
        id: newRowId(),
        identifier: `BENCH-${j}`,
        first_name: `Holder${j % 997}`,
        last_name: `Bench${j % 1009}`,
        email: `holder${j}@example.org`,
        organizational_unit: `Unit ${j % 20}`,
        organization: "Tessera Bench Office",
        title: null,
        upn: null,
        sid: null,
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
      await insertRowsInSlices(trx, "users", users, 500);
      const cards = users.map((u, k) => ({
        id: newRowId(),
        card_number: formatCardNumber("9", 9, i + k + 1),
        user_id: u.id,
        template: "Employee ID",
        state,
        holder_name: `${u.first_name} ${u.last_name}`,
        organizational_unit: u.organizational_unit,
        batch_id: null,
        version: 1,
        requested_by: "bench",
        requested_at: new Date(Date.parse(at) + i + k).toISOString(),
        decided_by: "bench",
        decided_at: at,
        reason: null,
        puk_encrypted: null,
        issued_at: life ? at : null,
        expires_at: life?.expiresAt ?? null,
        updated_at: at,
      }));
      await insertRowsInSlices(trx, "cards", cards, 500);
      if (!life) return;
      const held = state === "issued";
      const certificates = cards.flatMap((card, k) =>
        ["authentication", "signature"].map((profile, p) => ({
          serial: ((i + k) * 2 + p + 1).toString(16).padStart(32, "0"),
          card_id: card.id,
          profile,
          subject: `CN=${card.holder_name}`,
          state: held ? "onHold" : "valid",
          der: life.certificateDer,
          not_before: at,
          not_after: life.expiresAt,
          revoked_at: held ? at : null,
          revocation_reason: held ? "certificateHold" : null,
          created_at: at,
          updated_at: at,
        })),
      );
      await insertRowsInSlices(trx, "certificates", certificates, 500);
    });
  }
}

/** Fresh planner statistics after a bulk load, as a deployment's own maintenance would keep them. */
export async function analyzeTables(store: Store): Promise<void> {
  await (store.dialect === "postgres" ? sql`vacuum analyze` : sql`analyze`).execute(store.db);
}
