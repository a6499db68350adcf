import type { Kysely } from "kysely";
import { createIndexes } from "./table-definitions.js";

/**
 * Time moves the states (issue 12): the expiry pass looks for certificates and cards of a live
 * state whose end has passed, and "expires before" searches cards by their end. Without these
 * indexes both read every certificate and every card. Expired sessions are purged by their end,
 * which until now also meant reading every session.
 */
export async function expiry(db: Kysely<unknown>): Promise<void> {
  await createIndexes(db, "certificates", { certificates_state_not_after: ["state", "not_after"] });
  await createIndexes(db, "cards", { cards_state_expires: ["state", "expires_at", "id"] });
  await createIndexes(db, "sessions", { sessions_expires: ["expires_at"] });
}
