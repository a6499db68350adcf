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
