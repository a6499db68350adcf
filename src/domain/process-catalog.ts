import type { CardState } from "./card-states.js";
import type { Role } from "./roles.js";

/**
 * The catalog of processes: every state change in Tessera is one of these named use cases.
 * It is data, so the UI offers only what a card's state allows, the API lists it, and the
 * server refuses anything else with `card.state_not_allowed`.
 */
export interface ProcessDefinition<Name extends string = SymbolicName> {
  readonly symbolicName: Name;
  readonly name: string;
  readonly component: "Users" | "Cards" | "Batch orders" | "Certificates";
  /** A batch order answers 202 with a batch id; a single process answers 200. */
  readonly kind: "single" | "batch";
  /** Card states the process acts on; empty when it does not act on a card. */
  readonly requiredCardStates: readonly CardState[];
  readonly roles: readonly Role[];
  readonly outcome: string;
  /** The options this process takes (names in ProcessOptions). */
  readonly options: readonly string[];
  /**
   * The card encoder the process needs: it is offered only on cards made by it. (Unblocking or
   * changing a PIN is the chip's own retry counter and SO PIN: a PKCS#11 card has them, a
   * software token has neither.)
   */
  readonly requiresEncoder?: "pkcs11";
}

const define = <const T extends readonly ProcessDefinition<string>[]>(definitions: T) => definitions;

export const processCatalog = define([
  {
    symbolicName: "UsersProcCreate",
    name: "Create user",
    component: "Users",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "User active",
    options: [],
  },
  {
    symbolicName: "UsersBoProcImport",
    name: "Import users (CSV)",
    component: "Users",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "Users created; bad rows reported, none half-made",
    options: [],
  },
  {
    symbolicName: "UsersProcEdit",
    name: "Edit user",
    component: "Users",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "User changed; the cards that show the old data are named, to be replaced",
    options: [],
  },
  {
    symbolicName: "UsersProcDeactivate",
    name: "Deactivate user (leaver)",
    component: "Users",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "User inactive; live cards locked (holder left) or their requests aborted",
    options: [],
  },
  {
    symbolicName: "UsersProcReactivate",
    name: "Reactivate user",
    component: "Users",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "User active again; locked cards stay locked",
    options: [],
  },
  {
    symbolicName: "CardsProcRequest",
    name: "Request card",
    component: "Cards",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "Card requested (or approved where no approval step is configured)",
    options: ["approvalStep", "severalActiveCards"],
  },
  {
    symbolicName: "CardsBoProcRequestMultiple",
    name: "Request multiple cards",
    component: "Batch orders",
    kind: "single",
    requiredCardStates: [],
    roles: ["registrationOfficer"],
    outcome: "Cards requested or approved; users that cannot get one reported",
    options: ["approvalStep", "severalActiveCards"],
  },
  {
    symbolicName: "CardsBoProcRenewMultiple",
    name: "Renew multiple cards",
    component: "Batch orders",
    kind: "single",
    requiredCardStates: ["issued", "active", "inactive"],
    roles: ["registrationOfficer"],
    outcome:
      "A successor requested (or approved) for each card, same holder and template; each card is locked superseded when its successor becomes active",
    options: ["approvalStep", "renewalWindowDays"],
  },
  {
    symbolicName: "CardsProcApprove",
    name: "Approve request",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["requested"],
    roles: ["approver"],
    outcome: "Card approved, rejected (with a reason) or left requested (postponed)",
    options: [],
  },
  {
    symbolicName: "CardsProcAbortRequest",
    name: "Abort request",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["requested", "approved"],
    roles: ["registrationOfficer", "approver"],
    outcome: "Card aborted",
    options: [],
  },
  {
    symbolicName: "CardsBoProcIssueMultiple",
    name: "Issue multiple cards",
    component: "Batch orders",
    kind: "batch",
    requiredCardStates: ["approved"],
    roles: ["productionAdministrator"],
    outcome: "Cards issued or active; certificates on hold or valid",
    options: ["pinLength", "pukLength", "certificates", "cardEndState", "certificateEndState", "pukDelivery"],
  },
  {
    symbolicName: "CardsProcRepeatProduction",
    name: "Repeat production",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["failed"],
    roles: ["productionAdministrator"],
    outcome: "Card approved again, ready for the next batch",
    options: [],
  },
  {
    symbolicName: "CardsProcActivate",
    name: "Activate card",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["issued"],
    roles: ["issuingAuthority"],
    outcome: "Card active; certificates valid",
    options: ["severalActiveCards"],
  },
  {
    symbolicName: "CardsBoProcActivateMultiple",
    name: "Activate multiple cards",
    component: "Batch orders",
    kind: "batch",
    requiredCardStates: ["issued"],
    roles: ["issuingAuthority"],
    outcome: "Cards active; certificates valid",
    options: ["severalActiveCards"],
  },
  {
    symbolicName: "CardsProcDeactivate",
    name: "Deactivate card",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["active"],
    roles: ["helpdesk"],
    outcome: "Card inactive; certificates on hold",
    options: [],
  },
  {
    symbolicName: "CardsProcReactivate",
    name: "Reactivate card",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["inactive"],
    roles: ["helpdesk"],
    outcome: "Card active; certificates valid",
    options: [],
  },
  {
    symbolicName: "CardsProcLock",
    name: "Lock card",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["active", "inactive"],
    roles: ["securityOfficer"],
    outcome: "Card locked (final); certificates revoked with the reason",
    options: [],
  },
  {
    symbolicName: "CardsProcUnblockPin",
    name: "Unblock PIN",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["active"],
    roles: ["helpdesk"],
    outcome: "New PIN set, retry counter reset",
    options: [],
    requiresEncoder: "pkcs11",
  },
  {
    symbolicName: "CardsProcChangePin",
    name: "Change PIN",
    component: "Cards",
    kind: "single",
    requiredCardStates: ["active"],
    roles: ["helpdesk"],
    outcome: "New PIN set; the holder typed the old one",
    options: [],
    requiresEncoder: "pkcs11",
  },
  {
    symbolicName: "CertificatesProcHold",
    name: "Put certificate on hold",
    component: "Certificates",
    kind: "single",
    requiredCardStates: [],
    roles: ["helpdesk", "securityOfficer"],
    outcome: "Certificate on hold (revoked with reason certificateHold until released)",
    options: [],
  },
  {
    symbolicName: "CertificatesProcRelease",
    name: "Release certificate hold",
    component: "Certificates",
    kind: "single",
    requiredCardStates: [],
    roles: ["helpdesk", "securityOfficer"],
    outcome: "Certificate valid again",
    options: [],
  },
  {
    symbolicName: "CertificatesProcRevoke",
    name: "Revoke certificate",
    component: "Certificates",
    kind: "single",
    requiredCardStates: [],
    roles: ["securityOfficer"],
    outcome: "Certificate revoked with the reason given (final)",
    options: [],
  },
] as const);

/** The name a process is known by (the commercial system's, or one after its pattern). */
export type SymbolicName = (typeof processCatalog)[number]["symbolicName"];

const bySymbolicName = new Map<string, ProcessDefinition>(
  processCatalog.map((p: ProcessDefinition) => [p.symbolicName, p]),
);

/** Whether a name from outside (a URL, a stored batch) is one of the catalog's. */
export function isSymbolicName(name: string): name is SymbolicName {
  return bySymbolicName.has(name);
}

export function findProcess<Name extends SymbolicName>(symbolicName: Name): ProcessDefinition<Name> {
  return bySymbolicName.get(symbolicName)! as ProcessDefinition<Name>;
}

/**
 * The card processes whose required state includes `state`, on a card made by `encoder`
 * (a software token unless said): what a card page offers.
 */
export function processesAllowedInState(
  state: CardState,
  encoder: "software" | "pkcs11" = "software",
): ProcessDefinition[] {
  return processCatalog.filter(
    (p: ProcessDefinition) =>
      (p.requiresEncoder === undefined || p.requiresEncoder === encoder) &&
      (p.requiredCardStates as readonly CardState[]).includes(state),
  );
}
