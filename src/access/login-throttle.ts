import type { LoginDelayRule, LoginThrottleSettings } from "../config.js";
import { addressKeyOf } from "../domain/client-address.js";
import { TesseraError } from "../domain/errors.js";
import type { Services } from "../services/services.js";
import { transact } from "../store/database.js";
import {
  deleteLoginCount,
  deleteLoginCountsBefore,
  deleteLoginCountsOfUsername,
  findLoginCounts,
  type LoginCount,
  type LoginCountKey,
  lockLoginCounts,
  saveLoginCount,
} from "../store/login-throttle.js";

/**
 * Login throttling: growing delays instead of a lock (issue 8, finding 7).
 *
 * A lock after N failures lets anyone lock anyone out. Here failures only make the *failing*
 * side wait: each attempt is counted, before the password is checked, against
 * - the username from this address (a few free, then 1 s, 2 s, 4 s … up to 15 minutes),
 * - the username from all addresses (more free, capped at a minute), applied only to addresses
 *   that have failed for this username, so its owner still gets in from a clean address while
 *   someone hammers it from elsewhere,
 * - the address for all usernames (against one address guessing many accounts).
 * An attempt that must wait is answered `auth.rate_limited` (429) with the seconds, before any
 * password is checked, so the answer says nothing about the password or whether the username
 * exists: unknown usernames are counted exactly like known ones. Counting in advance, under a
 * lock, means parallel guesses cannot all slip through one check; a login that succeeds takes
 * its count back. The counts live in the database: a restart or a second Tessera sees them.
 */

/** The three counts one attempt is held to. */
function countKeys(username: string, address: string) {
  return {
    accountAddress: { username, address },
    account: { username, address: "" },
    address: { username: "", address },
  } satisfies Record<string, LoginCountKey>;
}

/** How long the next attempt must wait after `failures` failures under `rule`; 0 while free. */
export function delayAfter(failures: number, rule: LoginDelayRule): number {
  if (failures < rule.freeFailures) return 0;
  const doublings = Math.min(failures - rule.freeFailures, 30);
  return Math.min(rule.firstDelaySeconds * 2 ** doublings, rule.maxDelaySeconds) * 1000;
}

function counted(key: LoginCountKey, previous: LoginCount | undefined, rule: LoginDelayRule, now: number) {
  const failures = (previous?.failures ?? 0) + 1;
  const delay = delayAfter(failures, rule);
  return {
    ...key,
    failures,
    lastFailureAt: new Date(now).toISOString(),
    delayedUntil: delay > 0 ? new Date(now + delay).toISOString() : null,
  } satisfies LoginCount;
}

/**
 * Counts a login attempt as a failure in advance, or refuses it with `auth.rate_limited`
 * (details `retryAfterSeconds`) when one of its counts says it must still wait; a refused
 * attempt is not counted, so waiting always helps.
 */
export async function countLoginAttempt(
  services: Services,
  settings: LoginThrottleSettings,
  username: string,
  address: string,
): Promise<void> {
  const { dialect } = services.store;
  const now = services.clock().getTime();
  const keys = countKeys(username, addressKeyOf(address));
  await transact(services.store, async (trx) => {
    await lockLoginCounts(trx, dialect, [`username:${username}`, `address:${keys.address.address}`]);
    await deleteLoginCountsBefore(trx, new Date(now - settings.forgetAfterHours * 3_600_000).toISOString());
    const counts = await findLoginCounts(trx, Object.values(keys));
    const find = (key: LoginCountKey) =>
      counts.find((c) => c.username === key.username && c.address === key.address);
    const accountAddress = find(keys.accountAddress);
    const account = find(keys.account);
    const perAddress = find(keys.address);
    // The count from all addresses holds up only addresses that have failed for this username.
    const hasFailedHere = (accountAddress?.failures ?? 0) > 0;
    const waits = [accountAddress, hasFailedHere ? account : undefined, perAddress].map((count) =>
      count?.delayedUntil ? Date.parse(count.delayedUntil) - now : 0,
    );
    const wait = Math.max(0, ...waits);
    if (wait > 0)
      throw new TesseraError("auth.rate_limited", undefined, { retryAfterSeconds: Math.ceil(wait / 1000) });
    await saveLoginCount(trx, counted(keys.accountAddress, accountAddress, settings.perAccountAddress, now));
    await saveLoginCount(trx, counted(keys.account, account, settings.perAccount, now));
    await saveLoginCount(trx, counted(keys.address, perAddress, settings.perAddress, now));
  });
}

/**
 * Takes back the failure counted in advance for a login that succeeded, in the caller's
 * transaction: this address is clean again for this username; the other counts lose one.
 */
export async function uncountLoginAttempt(
  trx: Services["store"]["db"],
  services: Services,
  settings: LoginThrottleSettings,
  username: string,
  address: string,
): Promise<void> {
  const keys = countKeys(username, addressKeyOf(address));
  await lockLoginCounts(trx, services.store.dialect, [
    `username:${username}`,
    `address:${keys.address.address}`,
  ]);
  await deleteLoginCount(trx, keys.accountAddress);
  const counts = await findLoginCounts(trx, [keys.account, keys.address]);
  for (const [key, rule] of [
    [keys.account, settings.perAccount],
    [keys.address, settings.perAddress],
  ] as const) {
    const count = counts.find((c) => c.username === key.username && c.address === key.address);
    if (!count || count.failures === 0) continue;
    // As if this attempt had not been counted: one failure fewer, and the wait that leaves.
    const failures = count.failures - 1;
    const delay = delayAfter(failures, rule);
    await saveLoginCount(trx, {
      ...count,
      failures,
      delayedUntil: delay > 0 ? new Date(Date.parse(count.lastFailureAt) + delay).toISOString() : null,
    });
  }
}

/** Forgets every count of a username, in the caller's transaction. */
export async function clearLoginCounts(
  trx: Services["store"]["db"],
  services: Services,
  username: string,
): Promise<void> {
  await lockLoginCounts(trx, services.store.dialect, [`username:${username}`]);
  await deleteLoginCountsOfUsername(trx, username);
}
