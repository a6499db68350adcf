import { type Role, roles } from "../../src/domain/roles.js";
import { apiAs, type TestApp } from "../../src/test-support/test-app.js";

/** The demo's operators: one per role the tests act as, plus one holding every role. */
export const operators: Record<string, Role[]> = {
  registrar: ["registrationOfficer"],
  approver: ["approver"],
  production: ["productionAdministrator"],
  issuer: ["issuingAuthority"],
  auditor: ["auditor"],
  chief: [...roles],
};

export async function createOperators(t: TestApp): Promise<void> {
  for (const [username, roles] of Object.entries(operators)) await t.operator(username, roles);
}

const cookies = new WeakMap<TestApp, Map<string, string>>();

/**
 * Calls the API as an operator, through the same HTTP routes the UI uses. Sessions are kept
 * (login is rate-limited) and renewed when the test clock has moved past their idle time.
 */
export async function apiAsOperator(t: TestApp, username: string) {
  const byUser = cookies.get(t) ?? new Map<string, string>();
  cookies.set(t, byUser);
  return async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) => {
    let cookie = byUser.get(username) ?? (await t.login(username));
    byUser.set(username, cookie);
    let answer = await apiAs(t.server, cookie)(method, url, payload);
    if (answer.status === 401) {
      cookie = await t.login(username);
      byUser.set(username, cookie);
      answer = await apiAs(t.server, cookie)(method, url, payload);
    }
    return answer;
  };
}

let sequence = 0;

/** Users with approved cards of a template, made through the API (registrar requests, approver approves). */
export async function seedApprovedCards(
  t: TestApp,
  count: number,
  template = "Employee ID",
): Promise<string[]> {
  const registrar = await apiAsOperator(t, "registrar");
  const approver = await apiAsOperator(t, "approver");
  const cardIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++sequence;
    const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
      firstName: ["Astrid", "Bertil", "Cecilia", "David", "Eva", "Filip", "Greta", "Hugo"][n % 8],
      lastName: `Lindqvist${n}`,
      email: `seed${n}@office.example`,
      identifier: `S${1000 + n}`,
      organizationalUnit: n % 2 ? "Finance" : "Logistics",
    });
    if (created.status !== 200) throw new Error(`creating a user failed: ${JSON.stringify(created.body)}`);
    const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
      userId: created.body.user.id,
      template,
    });
    if (requested.status !== 200)
      throw new Error(`requesting a card failed: ${JSON.stringify(requested.body)}`);
    const approved = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: requested.body.card.id,
      decision: "approve",
    });
    if (approved.status !== 200) throw new Error(`approving failed: ${JSON.stringify(approved.body)}`);
    cardIds.push(requested.body.card.id);
  }
  return cardIds;
}

/** Cards of `template` made active with valid certificates, through the API (Issue multiple cards). */
export async function seedActiveCards(
  t: TestApp,
  count: number,
  template = "Employee ID",
): Promise<string[]> {
  const cardIds = await seedApprovedCards(t, count, template);
  const production = await apiAsOperator(t, "production");
  const made = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
    cardIds,
    options: { cardEndState: "active", certificateEndState: "valid" },
  });
  if (made.status !== 202) throw new Error(`ordering the batch failed: ${JSON.stringify(made.body)}`);
  t.app.runner.start();
  await t.app.runner.idle();
  return cardIds;
}

export interface CardRead {
  id: string;
  cardNumber: string;
  state: string;
  batchId: string | null;
}

export async function readCard(t: TestApp, cardId: string): Promise<CardRead> {
  const api = await apiAsOperator(t, "chief");
  const { status, body } = await api("GET", `/api/v1/cards/${cardId}`);
  if (status !== 200) throw new Error(`reading card ${cardId} failed: ${JSON.stringify(body)}`);
  return body;
}

export async function approvedCards(t: TestApp): Promise<CardRead[]> {
  const api = await apiAsOperator(t, "chief");
  const { body } = await api("GET", "/api/v1/cards?state=approved&limit=500");
  return body.items;
}

/** A page to walk to: a name for its screenshot, its address, and the heading it shows. */
export type WalkedPage = [name: string, address: string, heading: string];

/** Every page at an address of its own, each walk through the whole UI as `chief` visits. */
const pagesAtFixedAddresses: WalkedPage[] = [
  ["dashboard", "/", "Dashboard"],
  ["users", "/users", "Users"],
  ["create-user", "/users/new", "Create user"],
  ["import-users", "/users/import", "Import users"],
  ["cards", "/cards", "Cards"],
  ["approvals", "/approvals", "Approvals"],
  ["batch-orders", "/batch-orders", "BATCH ORDERS"],
  ["issue-multiple-cards", "/batch-orders/issue-multiple-cards?searched=1", "Issue multiple cards"],
  ["activate-multiple-cards", "/batch-orders/activate-multiple-cards?searched=1", "Activate multiple cards"],
  ["renew-multiple-cards", "/batch-orders/renew-multiple-cards?searched=1", "Renew multiple cards"],
  ["request-multiple-cards", "/batch-orders/request-multiple-cards", "Request multiple cards"],
  ["batches", "/batches", "Batches"],
  ["certificates", "/certificates", "Certificates"],
  ["audit", "/audit", "Audit"],
  ["admin-operators", "/administration/operators", "Administration"],
  ["admin-tokens", "/administration/tokens", "Administration"],
  ["admin-templates", "/administration/templates", "Administration"],
  ["admin-options", "/administration/options", "Administration"],
  ["admin-ca", "/administration/ca", "Administration"],
  ["api-tokens", "/api-tokens", "API tokens"],
  ["not-found", "/no/such/page", "No such page"],
];

/**
 * The pages a walk through the whole UI as `chief` (who holds every role) visits: every page at an
 * address of its own, then `made`, the pages of the users, cards or batches the walk made.
 */
export function pagesToWalk(made: WalkedPage[]): WalkedPage[] {
  return [...pagesAtFixedAddresses, ...made];
}
