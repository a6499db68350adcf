import type { CardTemplate } from "../domain/card-template.js";
import type { Db } from "./database.js";

/** Stores the configured templates; a template a card names is never deleted. */
export async function upsertCardTemplates(
  db: Db,
  templates: readonly CardTemplate[],
  at: string,
): Promise<void> {
  for (const template of templates) {
    await db
      .insertInto("card_templates")
      .values({ name: template.name, definition: JSON.stringify(template), updated_at: at })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({ definition: JSON.stringify(template), updated_at: at }),
      )
      .execute();
  }
}
