import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import type { TestApp } from "./test-app.js";

/**
 * Creates one user through `UsersProcCreate` as `actor`; returns the new user's id. Unless given,
 * the e-mail address (`lia@example.org`) and the identifier (`LIFE-1`) are made from the name.
 */
export async function createUserAs(
  t: TestApp,
  actor: Actor,
  person: { firstName: string; lastName: string; email?: string; identifier?: string },
): Promise<string> {
  const { result } = await runProcess(t.app.services, actor, "UsersProcCreate", {
    email: `${person.firstName.toLowerCase()}@example.org`,
    identifier: `${person.lastName.toUpperCase()}-1`,
    ...person,
  });
  return (result as { user: { id: string } }).user.id;
}

/**
 * A card of `template` for the user, requested by `requester` and approved by `approver` (four
 * eyes: two operators). Returns its id.
 */
export async function approvedCardAs(
  t: TestApp,
  operators: { requester: Actor; approver: Actor },
  userId: string,
  template = "Employee ID",
): Promise<string> {
  const { result } = await runProcess(t.app.services, operators.requester, "CardsProcRequest", {
    userId,
    template,
  });
  const cardId = (result as { card: { id: string } }).card.id;
  await runProcess(t.app.services, operators.approver, "CardsProcApprove", { cardId, decision: "approve" });
  return cardId;
}
