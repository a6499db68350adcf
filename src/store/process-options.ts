import { type ProcessOptions, processOptionsSchema } from "../domain/process-options.js";
import type { Db } from "./database.js";

export async function findProcessOptions(db: Db): Promise<ProcessOptions | undefined> {
  const row = await db.selectFrom("process_options").select("options").where("id", "=", 1).executeTakeFirst();
  return row && processOptionsSchema.parse(JSON.parse(row.options));
}

export async function saveProcessOptions(
  db: Db,
  options: ProcessOptions,
  updatedBy: string | null,
  at: string,
): Promise<void> {
  const json = JSON.stringify(options);
  await db
    .insertInto("process_options")
    .values({ id: 1, options: json, updated_by: updatedBy, updated_at: at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ options: json, updated_by: updatedBy, updated_at: at }))
    .execute();
}
