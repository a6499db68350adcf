import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";
import { createTable } from "./table-definitions.js";

/**
 * Cards per (state, template), kept by triggers in the same transaction as every change, so
 * "N approved cards" answers at once instead of counting 400,000 index entries (83 ms p95 on
 * PostgreSQL at a million cards; the search page must answer in 50).
 */
export async function cardCounts(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await createTable(db, "card_counts", {
    state: "text not null",
    template: "text not null",
    n: "bigint not null",
  })
    .addPrimaryKeyConstraint("card_counts_pk", ["state", "template"])
    .execute();
  // The SQL below keeps the indentation it was first run with: SQLite stores a trigger's text and
  // PostgreSQL a function's body as written, so this text is part of the schema.
  await sql`insert into card_counts (state, template, n)
                select state, template, count(*) from cards group by state, template`.execute(db);
  if (dialect === "postgres") {
    await sql`
          create function card_counts_track() returns trigger language plpgsql as $$
          begin
            if tg_op in ('UPDATE', 'DELETE') then
              update card_counts set n = n - 1 where state = old.state and template = old.template;
            end if;
            if tg_op in ('INSERT', 'UPDATE') then
              insert into card_counts (state, template, n) values (new.state, new.template, 1)
              on conflict (state, template) do update set n = card_counts.n + 1;
            end if;
            return null;
          end $$`.execute(db);
    await sql`create trigger card_counts_insert_delete after insert or delete on cards
                  for each row execute function card_counts_track()`.execute(db);
    await sql`create trigger card_counts_update after update of state, template on cards
                  for each row when (old.state is distinct from new.state or old.template is distinct from new.template)
                  execute function card_counts_track()`.execute(db);
  } else {
    const add = (ref: string) =>
      sql.raw(`insert into card_counts (state, template, n) values (${ref}.state, ${ref}.template, 1)
              on conflict (state, template) do update set n = n + 1;`);
    const remove = (ref: string) =>
      sql.raw(`update card_counts set n = n - 1 where state = ${ref}.state and template = ${ref}.template;`);
    await sql`create trigger card_counts_insert after insert on cards begin ${add("new")} end`.execute(db);
    await sql`create trigger card_counts_delete after delete on cards begin ${remove("old")} end`.execute(db);
    await sql`create trigger card_counts_update after update of state, template on cards
                  when old.state is not new.state or old.template is not new.template
                  begin ${remove("old")} ${add("new")} end`.execute(db);
  }
}
