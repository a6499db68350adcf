import type { Kysely } from "kysely";

/**
 * A chunk of chip cards held up at its station because no blank card is left in the readers: since
 * when its first card has been waiting for one to be put in (null while none waits). The batch
 * page tells its operators, who are not at the station, why the batch does not move.
 */
export async function blankCardWait(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("batch_chunks").addColumn("waiting_for_blank_card_since", "text").execute();
}
