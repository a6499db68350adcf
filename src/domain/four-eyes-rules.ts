import type { ProcessOptions } from "./process-options.js";
import type { Role } from "./roles.js";

/**
 * Separation of duties as data: the changes one administrator may not make alone. Such a
 * change does not apply at once; it becomes a pending change that another administrator
 * approves or rejects (see access/pending-changes.ts). A rule that only gets stricter (the
 * approval step switched back on) applies at once.
 */
export interface OptionFourEyesRule {
  /** The rule's name, as shown in a pending change's `rules`. */
  readonly rule: string;
  /** What goes wrong when one person weakens it, for people. */
  readonly description: string;
  /** Whether going from `before` to `after` weakens the rule. */
  readonly weakens: (before: ProcessOptions, after: ProcessOptions) => boolean;
}

/**
 * Every process option that holds up a four-eyes rule. Add an option here and its weakening
 * needs a second administrator everywhere (API, UI), with nothing else to change.
 */
export const optionFourEyesRules: readonly OptionFourEyesRule[] = [
  {
    rule: "approvalStep",
    description:
      "Switching the approval step off lets a card request be approved by the same person who made it.",
    weakens: (before, after) => before.approvalStep && !after.approvalStep,
  },
  {
    rule: "activationStep",
    description:
      "Letting Issue multiple cards end in an active card or valid certificates lets the production administrator hand out usable cards without the issuing authority's activation.",
    weakens: (before, after) => !canSkipActivation(before) && canSkipActivation(after),
  },
];

/** Whether a batch may produce a card usable before the issuing authority activates it. */
function canSkipActivation(options: ProcessOptions): boolean {
  const { cardEndState, certificateEndState } = options;
  return (
    cardEndState.operatorMayChoose ||
    cardEndState.default === "active" ||
    certificateEndState.operatorMayChoose ||
    certificateEndState.default === "valid"
  );
}

/** The names of the four-eyes rules that a change of the options weakens (empty: none). */
export function weakenedOptionRules(before: ProcessOptions, after: ProcessOptions): string[] {
  return optionFourEyesRules.filter((r) => r.weakens(before, after)).map((r) => r.rule);
}

/**
 * Making another enabled administrator is the way around every rule above: one administrator
 * who can make a second (whose password they chose) approves their own pending changes. So an
 * operator who becomes an enabled administrator needs a second administrator — whenever there
 * are already two enabled administrators to ask. With a single one nobody could approve, and a
 * deployment must be able to get its second administrator: that first step applies at once.
 */
export const administratorRoleRule = {
  rule: "administratorRole",
  description: "Making an operator an enabled administrator needs a second administrator.",
  /** Enabled administrators needed before the rule can be kept (someone else to approve). */
  minimumAdministrators: 2,
} as const;

/** An operator's standing for the administrator rule: its roles and whether it is disabled. */
export interface OperatorStanding {
  readonly roles: readonly Role[];
  readonly disabled: boolean;
}

/** Whether a change of an operator (or its creation, with `before` undefined) needs a second administrator. */
export function needsSecondAdministrator(
  before: OperatorStanding | undefined,
  after: OperatorStanding,
  enabledAdministrators: number,
): boolean {
  const isAdministrator = (o: OperatorStanding | undefined) =>
    o !== undefined && !o.disabled && o.roles.includes("administrator");
  return (
    !isAdministrator(before) &&
    isAdministrator(after) &&
    enabledAdministrators >= administratorRoleRule.minimumAdministrators
  );
}

/**
 * Leaving a single enabled administrator opens the way round the administrator rule: the one
 * left makes a new administrator at once (the first step above) with a password of its
 * choosing and approves its own pending changes with it. So disabling an enabled administrator,
 * or taking its role, when that would leave fewer than two enabled, needs a second
 * administrator too.
 */
export const administratorRemovalRule = {
  rule: "administratorRemoval",
  description:
    "Disabling an administrator or taking its role, when that would leave a single enabled administrator, needs a second administrator.",
} as const;

/** Whether a change of an operator would leave fewer than two enabled administrators of two or more. */
export function leavesSingleAdministrator(
  before: OperatorStanding,
  after: OperatorStanding,
  enabledAdministrators: number,
): boolean {
  const isAdministrator = (o: OperatorStanding) => !o.disabled && o.roles.includes("administrator");
  const { minimumAdministrators } = administratorRoleRule;
  return (
    isAdministrator(before) &&
    !isAdministrator(after) &&
    enabledAdministrators >= minimumAdministrators &&
    enabledAdministrators - 1 < minimumAdministrators
  );
}

/**
 * Setting another administrator's password is taking that administrator over: whoever
 * sets it can log in as them and approve their own pending changes. So it needs a second
 * administrator too, once two are enabled (one's own password is one's own business). An
 * administrator who forgot their password, with only one other administrator, gets a new
 * administrator from `tessera operators create` on the server. A disabled administrator's
 * password counts too: set at once, enabling that administrator again would be approved by
 * someone who cannot see that the proposer holds its password.
 */
export const administratorPasswordRule = {
  rule: "administratorPassword",
  description: "Setting another administrator's password needs a second administrator.",
} as const;

/** Whether setting this operator's password (by someone else) needs a second administrator. */
export function isAdministratorTakeover(
  target: OperatorStanding,
  change: { setsPassword: boolean; bySelf: boolean },
  enabledAdministrators: number,
): boolean {
  return (
    change.setsPassword &&
    !change.bySelf &&
    target.roles.includes("administrator") &&
    enabledAdministrators >= administratorRoleRule.minimumAdministrators
  );
}

/** What a pending change would do when approved. */
export type PendingChangeKind = "options" | "operator.create" | "operator.change";
export type PendingChangeState = "pending" | "approved" | "rejected";

/**
 * Roles whose two sides four eyes keep apart: who requests a card and who approves it; who
 * produces a card and who activates it. An operator may hold both (a small office), but no
 * operator does by default: the first administrator of a start without demo data holds only
 * `administrator`.
 */
export const fourEyesRolePairs: readonly (readonly [Role, Role])[] = [
  ["registrationOfficer", "approver"],
  ["productionAdministrator", "issuingAuthority"],
];

/** The four-eyes pairs one operator's roles hold both sides of. */
export function fourEyesPairsHeld(held: readonly Role[]): (readonly [Role, Role])[] {
  return fourEyesRolePairs.filter(([a, b]) => held.includes(a) && held.includes(b));
}
