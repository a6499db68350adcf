import { afterAll, beforeAll, expect } from "vitest";
import type { BatchScheduler } from "../batches/scheduler.js";
import { type CardTemplate, demoTemplates } from "../domain/card-template.js";
import type { ProcessOptions } from "../domain/process-options.js";
import type { Role } from "../domain/roles.js";
import type { Dialect } from "../store/database.js";
import { apiAs, createTestApp, type TestApp } from "./test-app.js";

/** An API client logged in as one operator (see `apiAs`). */
export type ApiClient = ReturnType<typeof apiAs>;

/**
 * Creates each operator with its roles and logs each in: one API client per username. Only the
 * operators a test drives belong here; each login is a session and an entry in the history.
 */
export async function loggedInOperators<const Operators extends Record<string, Role[]>>(
  t: TestApp,
  operators: Operators,
): Promise<{ [Username in keyof Operators]: ApiClient }> {
  const clients: Record<string, ApiClient> = {};
  for (const [username, roles] of Object.entries(operators)) {
    await t.operator(username, roles);
    clients[username] = apiAs(t.server, await t.login(username));
  }
  return clients as { [Username in keyof Operators]: ApiClient };
}

/**
 * Imports `count` holders sharing the last name `lastName` (the user search matches the start of
 * "last first", so the name should be one no other user of the test starts with) and requests a
 * card of `template` for each at once. Returns the card ids.
 */
export async function requestCardsForNewHolders(
  registrar: ApiClient,
  holders: { lastName: string; count: number; template: string; organizationalUnit?: (i: number) => string },
): Promise<string[]> {
  const { lastName, count, template, organizationalUnit } = holders;
  const csv = [`firstName,lastName,email,identifier${organizationalUnit ? ",organizationalUnit" : ""}`];
  for (let i = 0; i < count; i++) {
    const row = `Holder${i},${lastName},${lastName.toLowerCase()}${i}@example.org,${lastName.toUpperCase()}-${i}`;
    csv.push(organizationalUnit ? `${row},${organizationalUnit(i)}` : row);
  }
  const imported = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv: csv.join("\n") });
  expect(imported.status).toBe(200);
  const users = (await registrar("GET", `/api/v1/users?q=${lastName}&limit=50`)).body.items;
  expect(users).toHaveLength(count);
  const requested = await registrar("POST", "/api/v1/processes/CardsBoProcRequestMultiple", {
    userIds: users.map((u: { id: string }) => u.id),
    template,
  });
  expect(requested.status).toBe(200);
  return requested.body.cards.map((c: { id: string }) => c.id);
}

/**
 * Orders a batch of these cards as `production` and waits until `runner` (by default the app's)
 * has produced it. Returns the batch id.
 */
export async function produceBatch(
  t: TestApp,
  production: ApiClient,
  cardIds: string[],
  options?: Record<string, unknown>,
  runner: Pick<BatchScheduler, "start" | "idle"> = t.app.runner,
): Promise<string> {
  const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
    cardIds,
    ...(options && { options }),
  });
  expect(order.status, JSON.stringify(order.body)).toBe(202);
  runner.start();
  await runner.idle();
  return order.body.batchId;
}

/** Cards for new holders (see `requestCardsForNewHolders`), produced in one batch (`produceBatch`) by `runner`. */
export async function produceCardsForNewHolders(
  t: TestApp,
  operators: { registrar: ApiClient; production: ApiClient },
  holders: Parameters<typeof requestCardsForNewHolders>[1],
  runner?: Pick<BatchScheduler, "start" | "idle">,
): Promise<{ batchId: string; cardIds: string[] }> {
  const cardIds = await requestCardsForNewHolders(operators.registrar, holders);
  return { batchId: await produceBatch(t, operators.production, cardIds, undefined, runner), cardIds };
}

/**
 * Registers a user through UsersProcCreate as `registrar`, as the Users page does, and returns
 * its id.
 */
export async function createUser(
  registrar: ApiClient,
  user: { firstName: string; lastName: string; email: string; identifier: string },
): Promise<string> {
  const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", user);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.user.id as string;
}

/** Requests a card of `template` for the user, as `registrar`; it must be accepted. Returns its id. */
export async function requestCard(registrar: ApiClient, userId: string, template: string): Promise<string> {
  const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", { userId, template });
  expect(requested.status, JSON.stringify(requested.body)).toBe(200);
  return requested.body.card.id as string;
}

/** How many users there are, as the user list `client` reads tells it. */
export async function countUsers(client: ApiClient): Promise<number> {
  return (await client("GET", "/api/v1/users?limit=1")).body.total as number;
}

/** The operators the API tests act as, each by the name the tests give it, with its roles. */
export const testOperators = {
  registrar: ["registrationOfficer"],
  otherRegistrar: ["registrationOfficer"],
  approver: ["approver"],
  production: ["productionAdministrator"],
  issuer: ["issuingAuthority"],
  security: ["securityOfficer"],
  helpdesk: ["helpdesk"],
  auditor: ["auditor"],
} as const satisfies Record<string, readonly Role[]>;

export type TestOperator = keyof typeof testOperators;

/** A Tessera of {@link testAppForSuite} and its operators' clients. */
export interface SuiteApp<Operator extends TestOperator> {
  /** Set once the suite has started. */
  readonly t: TestApp;
  /** One client per operator, usable from the start: each calls through its login once made. */
  readonly ops: Record<Operator, ApiClient>;
}

/**
 * For a suite of API tests: before its tests, a Tessera on `dialect` with these process `options`
 * (over the defaults) whose templates are the demo's and `templates`, and `operators` made with
 * their roles of {@link testOperators} and logged in; after them, closed.
 */
export function testAppForSuite<const Operator extends TestOperator>(
  dialect: Dialect,
  setup: { templates?: CardTemplate[]; options?: Partial<ProcessOptions>; operators: readonly Operator[] } = {
    operators: [],
  },
): SuiteApp<Operator> {
  let t: TestApp | undefined;
  let clients: Record<string, ApiClient> = {};
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      ...(setup.options && { options: setup.options }),
      ...(setup.templates && { config: { templates: [...demoTemplates, ...setup.templates] } }),
    });
    clients = await loggedInOperators(
      t,
      Object.fromEntries(setup.operators.map((username) => [username, [...testOperators[username]]])),
    );
  });
  afterAll(() => t?.close());
  const ops = {} as Record<Operator, ApiClient>;
  for (const username of setup.operators)
    ops[username] = (...call) => {
      const client = clients[username];
      if (!client) throw new Error(`${username} logs in when the suite starts`);
      return client(...call);
    };
  return {
    get t() {
      if (!t) throw new Error("the Tessera starts with the suite");
      return t;
    },
    ops,
  };
}
