import { afterAll, beforeAll } from "vitest";
import type { SymbolicName } from "../domain/process-catalog.js";
import type { ProcessOptions } from "../domain/process-options.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import type { Db, Dialect } from "../store/database.js";
import { createTestApp, type TestApp } from "./test-app.js";

/** A Tessera of {@link processSuite}, its operator "all" and what runs processes as it. */
export interface ProcessSuite {
  /** Set once the suite has started. */
  readonly t: TestApp;
  /** The operator "all", who holds every role. */
  readonly actor: Actor;
  /** The Tessera's database, as the store's functions take it. */
  readonly db: Db;
  /** Runs a process directly, not over HTTP, as `as` (by default "all"). */
  run(
    name: SymbolicName,
    body: Record<string, unknown>,
    as?: Actor,
  ): Promise<{ status: 200 | 202; result: unknown }>;
  /**
   * Issues these cards in one batch as "all" (with the batch's `options`, if given), starts the
   * batch runner if it has not started, and waits until it has produced them.
   */
  produce(cardIds: readonly string[], options?: Record<string, unknown>): Promise<void>;
  /** Creates a user as "all" (see {@link createUserAs}); returns its id. */
  createUser(person: {
    firstName: string;
    lastName: string;
    email?: string;
    identifier?: string;
  }): Promise<string>;
}

/**
 * For a suite of process tests: before its tests, a Tessera on `dialect` with these process
 * `options` (over the defaults) and the operator "all"; after them, closed.
 */
export function processSuite(dialect: Dialect, options?: Partial<ProcessOptions>): ProcessSuite {
  let t: TestApp | undefined;
  let actor: Actor | undefined;
  beforeAll(async () => {
    t = await createTestApp(dialect, options && { options });
    actor = await t.operator("all", [...roles]);
  });
  afterAll(() => t?.close());
  const suite: ProcessSuite = {
    get t() {
      if (!t) throw new Error("the Tessera starts with the suite");
      return t;
    },
    get actor() {
      if (!actor) throw new Error("the operator all is made when the suite starts");
      return actor;
    },
    get db() {
      return suite.t.app.services.store.db;
    },
    run: (name, body, as = suite.actor) => runProcess(suite.t.app.services, as, name, body),
    async produce(cardIds, batchOptions) {
      await suite.run("CardsBoProcIssueMultiple", {
        cardIds,
        ...(batchOptions && { options: batchOptions }),
      });
      suite.t.app.runner.start();
      await suite.t.app.runner.idle();
    },
    createUser: (person) => createUserAs(suite.t, suite.actor, person),
  };
  return suite;
}

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
