import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * On PostgreSQL, the card counts (005) follow each statement, not each row: a chunk's update of
 * 250 cards ran the row trigger's plpgsql, an update and an upsert, 250 times, which doubled the
 * statement's cost (2,000 cards: 144 ms against 71 ms without it); per statement it is one
 * upsert of the counts that moved, grouped from the statement's transition tables, taken in the
 * order of their key (two producers' chunks lock the count rows in the same order). SQLite has
 * no transition tables and keeps its row triggers.
 */
export async function cardCountsPerStatement(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`drop trigger card_counts_insert_delete on cards`.execute(db);
  await sql`drop trigger card_counts_update on cards`.execute(db);
  await sql`drop function card_counts_track()`.execute(db);
  // The SQL below keeps the indentation it was first run with: PostgreSQL stores a function's
  // body as written, so this text is part of the schema.
  // A transition table exists only for the events that have it: each event reads its own.
  await sql`
          create function card_counts_follow() returns trigger language plpgsql as $$
          begin
            if tg_op = 'INSERT' then
              insert into card_counts as c (state, template, n)
                select state, template, count(*) from new_cards
                group by state, template order by state, template
                on conflict (state, template) do update set n = c.n + excluded.n;
            elsif tg_op = 'DELETE' then
              update card_counts as c set n = c.n - gone.n
                from (select state, template, count(*) as n from old_cards group by state, template) as gone
                where c.state = gone.state and c.template = gone.template;
            else
              insert into card_counts as c (state, template, n)
                select state, template, sum(moved) from (
                  select state, template, 1 as moved from new_cards
                  union all
                  select state, template, -1 from old_cards
                ) as moves
                group by state, template having sum(moved) <> 0 order by state, template
                on conflict (state, template) do update set n = c.n + excluded.n;
            end if;
            return null;
          end $$`.execute(db);
  // A trigger with transition tables names one event and no columns (PostgreSQL's rule).
  await sql`create trigger card_counts_inserted after insert on cards
                referencing new table as new_cards
                for each statement execute function card_counts_follow()`.execute(db);
  await sql`create trigger card_counts_updated after update on cards
                referencing old table as old_cards new table as new_cards
                for each statement execute function card_counts_follow()`.execute(db);
  await sql`create trigger card_counts_deleted after delete on cards
                referencing old table as old_cards
                for each statement execute function card_counts_follow()`.execute(db);
}
