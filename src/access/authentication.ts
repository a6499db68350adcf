import { createHash, randomBytes } from "node:crypto";
import type { LoginThrottleSettings } from "../config.js";
import { TesseraError } from "../domain/errors.js";
import type { Actor, Services } from "../services/services.js";
import { findActiveApiTokenByHash, markApiTokenUsed } from "../store/api-tokens.js";
import { transact } from "../store/database.js";
import { findOperatorById, findOperatorByUsername } from "../store/operators.js";
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  touchSession,
} from "../store/sessions.js";
import { countLoginAttempt, uncountLoginAttempt } from "./login-throttle.js";
import { decoyPasswordHash, verifyPassword } from "./passwords.js";

export interface AccessPolicy {
  sessionIdleMinutes: number;
  /** Growing delays after failed logins. */
  login: LoginThrottleSettings;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}

const minutes = (n: number) => n * 60_000;

/**
 * Checks a username and password from a client address. Failures make the failing side wait
 * longer and longer (see `login-throttle.ts`) rather than locking the account; an unknown
 * username is answered, timed and counted exactly like a wrong password. Every refusal but a
 * wait, and every login, is recorded in the object history with the address. On success a new
 * session is made (the old one, if the browser sent one, is dropped: no session fixation), and
 * every expired session is deleted.
 *
 * @throws TesseraError `auth.rate_limited` (with `retryAfterSeconds`), `auth.invalid_credentials`,
 *   `auth.account_disabled` (only with the right password).
 */
export async function logIn(
  services: Services,
  policy: AccessPolicy,
  input: {
    username: string;
    password: string;
    /** The client's address (the peer, or what a trusted proxy says). */
    address: string;
    previousSessionToken?: string | undefined;
  },
): Promise<{ sessionToken: string; actor: Actor }> {
  const { db } = services.store;
  const now = services.clock();
  const at = now.toISOString();
  // Waits are answered before anything else is looked at: a wait says nothing about the account.
  await countLoginAttempt(services, policy.login, input.username, input.address);
  const operator = await findOperatorByUsername(db, input.username);
  const refuse = async (code: "auth.invalid_credentials" | "auth.account_disabled") => {
    await services.audit.append(
      db,
      [
        {
          action: "login",
          objectType: "operator",
          objectId: operator?.id ?? null,
          outcome: "refused",
          operator: operator ? { id: operator.id, username: operator.username } : null,
          details: { username: input.username.slice(0, 64), code, address: input.address },
        },
      ],
      at,
    );
    return new TesseraError(code);
  };

  // The same work for an unknown username: a real hash is checked, so the time does not tell.
  const passwordOk = await verifyPassword(
    operator?.passwordHash ?? (await decoyPasswordHash()),
    input.password,
  );
  if (!operator || !passwordOk) throw await refuse("auth.invalid_credentials");
  if (operator.disabled) throw await refuse("auth.account_disabled");

  const sessionToken = newSecretToken();
  await transact(services.store, async (trx) => {
    if (input.previousSessionToken) await deleteSession(trx, hashToken(input.previousSessionToken));
    // Expired sessions are only refused when presented; a login sweeps away every one left behind.
    await deleteExpiredSessions(trx, at);
    await uncountLoginAttempt(trx, services, policy.login, input.username, input.address);
    await insertSession(trx, {
      id: hashToken(sessionToken),
      operatorId: operator.id,
      at,
      expiresAt: new Date(now.getTime() + minutes(policy.sessionIdleMinutes)).toISOString(),
    });
    await services.audit.append(
      trx,
      [
        {
          action: "login",
          objectType: "operator",
          objectId: operator.id,
          outcome: "success",
          operator: { id: operator.id, username: operator.username },
          details: { address: input.address },
        },
      ],
      at,
    );
  });
  return { sessionToken, actor: { id: operator.id, username: operator.username, roles: operator.roles } };
}

export async function logOut(services: Services, sessionToken: string, actor: Actor): Promise<void> {
  const at = services.clock().toISOString();
  await transact(services.store, async (trx) => {
    await deleteSession(trx, hashToken(sessionToken));
    await services.audit.append(
      trx,
      [{ action: "logout", objectType: "operator", objectId: actor.id, outcome: "success", operator: actor }],
      at,
    );
  });
}

/**
 * The operator behind a session cookie, or undefined when the session is unknown or has been
 * idle too long. Activity moves the expiry forward (written at most once a minute).
 */
export async function authenticateSession(
  services: Services,
  policy: AccessPolicy,
  sessionToken: string,
): Promise<Actor | undefined> {
  const { db } = services.store;
  const now = services.clock();
  const id = hashToken(sessionToken);
  const session = await findSession(db, id);
  if (!session) return undefined;
  if (session.expiresAt <= now.toISOString()) {
    await deleteSession(db, id);
    return undefined;
  }
  const operator = await findOperatorById(db, session.operatorId);
  if (!operator || operator.disabled) return undefined;
  if (now.getTime() - Date.parse(session.lastSeenAt) > 60_000)
    await touchSession(
      db,
      id,
      now.toISOString(),
      new Date(now.getTime() + minutes(policy.sessionIdleMinutes)).toISOString(),
    );
  return { id: operator.id, username: operator.username, roles: operator.roles };
}

/**
 * The operator behind an API token. A token acts only as the operator who created it: one
 * stored with another operator (made for someone else before that was refused) is not valid.
 */
export async function authenticateApiToken(services: Services, token: string): Promise<Actor> {
  const { db } = services.store;
  const row = await findActiveApiTokenByHash(db, hashToken(token));
  const operator = row && row.operatorId === row.createdBy && (await findOperatorById(db, row.operatorId));
  if (!row || !operator || operator.disabled) throw new TesseraError("auth.invalid_token");
  const now = services.clock();
  if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > 60_000)
    await markApiTokenUsed(db, row.id, now.toISOString());
  return { id: operator.id, username: operator.username, roles: operator.roles };
}
