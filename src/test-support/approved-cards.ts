import type { App } from "../app.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import type { Dialect } from "../store/database.js";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "./api-setup.js";
import { createTestApp, type TestApp } from "./test-app.js";

/**
 * A test app without the approval step, so a request is approved at once: a registrar has
 * requested cards for new holders (see `requestCardsForNewHolders`), and a production
 * administrator, logged in, is there to produce them. Close `t` after.
 */
export async function appWithApprovedCards(
  dialect: Dialect,
  holders: Parameters<typeof requestCardsForNewHolders>[1],
): Promise<{ t: TestApp; production: ApiClient; cardIds: string[] }> {
  const t = await createTestApp(dialect, { options: { approvalStep: false } });
  const { registrar, production } = await loggedInOperators(t, {
    registrar: ["registrationOfficer"],
    production: ["productionAdministrator"],
  });
  const cardIds = await requestCardsForNewHolders(registrar, holders);
  return { t, production, cardIds };
}

/** Approved cards for `count` new users, made the quick way: import, then request without approval. */
export async function approvedCards(
  app: App,
  actor: Actor,
  count: number,
  prefix: string,
): Promise<string[]> {
  const csv = ["firstName,lastName,email,identifier"];
  for (let i = 0; i < count; i++) csv.push(`Ray${i},Race,r${i}@example.org,${prefix}-${i}`);
  await runProcess(app.services, actor, "UsersBoProcImport", { csv: csv.join("\n") });
  const users = await app.services.store.db
    .selectFrom("users")
    .select("id")
    .where("identifier", "like", `${prefix}-%`)
    .execute();
  const { result } = await runProcess(app.services, actor, "CardsBoProcRequestMultiple", {
    userIds: users.map((u) => u.id),
    template: "Employee ID",
  });
  return (result as { cards: { id: string }[] }).cards.map((c) => c.id);
}

/**
 * A test app without the approval step whose batches run in chunks of `chunkSize` on two
 * threads, an operator of every role, and `count` approved cards. Close `t` after.
 */
export async function appWithManyApprovedCards(
  dialect: Dialect,
  { count, prefix, chunkSize }: { count: number; prefix: string; chunkSize: number },
): Promise<{ t: TestApp; actor: Actor; cardIds: string[] }> {
  const t = await createTestApp(dialect, {
    options: { approvalStep: false },
    config: { batch: { chunkSize, workers: 2 } },
  });
  const actor = await t.operator("everyone", [...roles]);
  return { t, actor, cardIds: await approvedCards(t.app, actor, count, prefix) };
}
