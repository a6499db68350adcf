/**
 * The words of Tessera's domain as the UI shows them. The process catalog, roles and states are
 * imported from src/domain — the same table the server checks — so the UI never offers a
 * process the server would refuse for the card's state or the operator's roles.
 */
import {
  abortedWhenHolderLeaves,
  cardEndStates,
  cardStates,
  lockedWhenHolderLeaves,
} from "../../src/domain/card-states.js";
import {
  certificateEndStates,
  certificateStates,
  lockReasons,
  revokeReasons,
} from "../../src/domain/certificate-states.js";
import { type ProcessDefinition, processCatalog } from "../../src/domain/process-catalog.js";
import { cardExportRoles, type Role, roleNames, roles } from "../../src/domain/roles.js";
import { pinLengthBounds, pukLengthBounds } from "../../src/domain/secret-lengths.js";
import type { CardState, CertificateState } from "./api/types";

export type { ProcessDefinition, Role };
export {
  abortedWhenHolderLeaves,
  cardEndStates,
  cardExportRoles,
  cardStates,
  certificateEndStates,
  certificateStates,
  lockedWhenHolderLeaves,
  lockReasons,
  pinLengthBounds,
  processCatalog,
  pukLengthBounds,
  revokeReasons,
  roleNames,
  roles,
};

export const cardStateLabels: Record<CardState, string> = {
  requested: "Requested",
  approved: "Approved",
  rejected: "Rejected",
  aborted: "Aborted",
  failed: "Failed",
  issued: "Issued",
  active: "Active",
  inactive: "Inactive",
  locked: "Locked",
  expired: "Expired",
};

export const certificateStateLabels: Record<CertificateState, string> = {
  onHold: "On hold",
  valid: "Valid",
  revoked: "Revoked",
  expired: "Expired",
};

export const lockReasonLabels: Record<(typeof lockReasons)[number], string> = {
  lost: "Lost",
  stolen: "Stolen",
  damaged: "Damaged",
  left: "Holder left",
};

/** A user's fields as sentences name them ("The last name and title changed."). */
export const userFieldLabels: Record<string, string> = {
  firstName: "first name",
  lastName: "last name",
  email: "e-mail",
  organizationalUnit: "organizational unit",
  organization: "organization",
  title: "title",
  upn: "user principal name",
  sid: "security identifier",
  nameOnCard: "name on card",
  address: "address",
  photo: "photo",
  state: "state",
};

const processByName = new Map<string, ProcessDefinition>(processCatalog.map((p) => [p.symbolicName, p]));

export function findProcess(symbolicName: string): ProcessDefinition | undefined {
  return processByName.get(symbolicName);
}

/** The history's own actions (besides processes), as people read them. */
export const historyActionLabels: Record<string, string> = {
  login: "Log in",
  logout: "Log out",
  "login.failed": "Failed login",
  "operator.create": "Create operator",
  "operator.change": "Change operator",
  "token.create": "Create API token",
  "token.revoke": "Revoke API token",
  "options.change": "Change process options",
  "batch.cancel": "Cancel batch",
  "batch.chunkFailed": "Batch chunk failed",
  "certificate.hold": "Put certificate on hold",
  "certificate.release": "Release certificate",
  "certificate.revoke": "Revoke certificate",
  "certificate.expire": "Certificate expired",
  "card.expire": "Card expired",
  "card.holderActivation": "Holder activates card",
  "card.disclosePuk": "PUK given to the helpdesk",
  "card.rotatePuk": "PUK changed after a desk's unblock",
  "cards.export": "Export cards (CSV)",
  "batch.purgePinLetters": "Purge PIN letters",
  "batch.downloadPrintFile": "Download print file",
  "batch.downloadPinLetters": "Download PIN letters",
  "card.downloadToken": "Download software token",
  "options.change.propose": "Propose process options change",
  "options.change.approve": "Approve process options change",
  "options.change.reject": "Reject process options change",
  "operator.create.propose": "Propose new operator",
  "operator.create.approve": "Approve new operator",
  "operator.create.reject": "Reject new operator",
  "operator.change.propose": "Propose operator change",
  "operator.change.approve": "Approve operator change",
  "operator.change.reject": "Reject operator change",
  "pendingChange.approve": "Approve pending change",
  "pendingChange.reject": "Reject pending change",
};

/** The name a person reads for an audit action: the process name, or the action in words. */
export function actionLabel(action: string): string {
  const process = processByName.get(action);
  if (process) return process.name;
  return historyActionLabels[action] ?? action;
}

export function canRunProcess(operatorRoles: readonly Role[], symbolicName: string): boolean {
  const process = processByName.get(symbolicName);
  return Boolean(process?.roles.some((role) => operatorRoles.includes(role)));
}

export function hasAnyRole(operatorRoles: readonly Role[], needed: readonly Role[] | "any"): boolean {
  return needed === "any" || needed.some((role) => operatorRoles.includes(role));
}

/** The batch orders of the BATCH ORDERS page, in the seed's words, each with its own page. */
export const batchOrders = [
  {
    symbolicName: "CardsBoProcRequestMultiple",
    path: "/batch-orders/request-multiple-cards",
    description: "Search users, tick the ones who need a card, and request a card of one template for each.",
  },
  {
    symbolicName: "CardsBoProcIssueMultiple",
    path: "/batch-orders/issue-multiple-cards",
    description:
      "Search the approved cards, tick the ones to produce, choose the options, and run the batch: keys, certificates, PIN letters and the print file.",
  },
  {
    symbolicName: "CardsBoProcActivateMultiple",
    path: "/batch-orders/activate-multiple-cards",
    description: "Search the issued cards whose holders have received them, and activate them together.",
  },
  {
    symbolicName: "CardsBoProcRenewMultiple",
    path: "/batch-orders/renew-multiple-cards",
    description:
      "Search the active cards that expire soon, tick the ones to renew, and request a successor for each: same holder, same template.",
  },
] as const;

export const batchOrderRoles: Role[] = [
  ...new Set(batchOrders.flatMap((order) => findProcess(order.symbolicName)?.roles ?? [])),
];

export function rolesText(operatorRoles: readonly Role[]): string {
  if (roles.every((role) => operatorRoles.includes(role))) return "All roles";
  return operatorRoles.map((role) => roleNames[role]).join(", ");
}
