/**
 * The object history in an operator's words: each entry's details as a short sentence, with the
 * domain's codes (states, lock and revocation reasons, fields, roles) as the UI names them. The
 * raw details stay one click away where entries are listed.
 */
import type { AuditEntry } from "./api/types";
import {
  cardStateLabels,
  certificateStateLabels,
  lockReasonLabels,
  roleNames,
  userFieldLabels,
} from "./domain";

/** RFC 5280 §5.3.1 reasons, as the certificate page and the history name them. */
export const revocationReasonLabels: Record<string, string> = {
  unspecified: "Unspecified",
  keyCompromise: "Key compromise",
  cACompromise: "CA compromise",
  affiliationChanged: "Affiliation changed",
  superseded: "Superseded (replaced)",
  cessationOfOperation: "Cessation of operation (holder left)",
  certificateHold: "On hold",
  privilegeWithdrawn: "Privilege withdrawn",
};

const lockLabels: Record<string, string> = { ...lockReasonLabels, superseded: "Renewed (superseded)" };

/** A reason as people read it: a lock or revocation reason's label, or the operator's own words. */
export function reasonLabel(reason: string): string {
  return lockLabels[reason] ?? revocationReasonLabels[reason] ?? reason;
}

/** A state named in a history entry: a certificate's for certificate entries, else a card's. */
function stateLabel(state: string, objectType: string | null): string {
  const labels: Record<string, string> =
    objectType === "certificate" ? certificateStateLabels : { ...cardStateLabels, ...certificateStateLabels };
  return labels[state] ?? state;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Keys said elsewhere on the row (links, badges) or only useful raw. */
const unsaid = new Set([
  "userId",
  "cardId",
  "batchId",
  "options",
  "code",
  "workerStack",
  "workerCode",
  "input",
]);

/** One detail in words, or undefined when it says nothing an operator needs here. */
function said(key: string, value: unknown, entry: AuditEntry): string | undefined {
  if (value === null || value === undefined || value === "" || unsaid.has(key)) return undefined;
  if (key === "to" || key === "from") return undefined; // joined below
  if (key === "cardNumber" && typeof value === "string") return `Card ${value}`;
  if (key === "template" && typeof value === "string") return `Template ${value}`;
  if (key === "username" && typeof value === "string") return `Operator ${value}`;
  if (key === "roles" && Array.isArray(value))
    return `Roles: ${value.map((role) => roleNames[role as keyof typeof roleNames] ?? String(role)).join(", ")}`;
  if ((key === "reason" || key === "lockReason") && typeof value === "string")
    return `Reason: ${reasonLabel(value)}`;
  if (key === "revocationReason" && typeof value === "string")
    return `Certificates revoked: ${reasonLabel(value)}`;
  if (key === "certificateState" && typeof value === "string")
    return `Certificates ${stateLabel(value, "certificate").toLowerCase()}`;
  if (key === "certificates" && Array.isArray(value)) return count(value.length, "certificate") + " issued";
  if (key === "certificatesRevoked" && Array.isArray(value))
    return `${count(value.length, "certificate")} revoked`;
  if (key === "certificatesHeld" && Array.isArray(value))
    return `${count(value.length, "certificate")} put on hold`;
  if (key === "certificatesReleased" && Array.isArray(value))
    return `${count(value.length, "certificate")} released`;
  if (key === "claimed" && typeof value === "number") return `${count(value, "card")} taken`;
  if (key === "skipped" && typeof value === "number")
    return value > 0 ? `${count(value, "card")} skipped` : undefined;
  if (key === "created" && typeof value === "number") return `${value} created`;
  if (key === "rejectedLines" && typeof value === "number")
    return value > 0 ? `${count(value, "line")} refused` : undefined;
  if (key === "photo" && typeof value === "boolean") return value ? "With photo" : undefined;
  if (key === "pukUsed" && value === true) return "With the stored PUK";
  if (key === "pukSettled" && value === "pending") return "The card had the next PUK a desk set: now its PUK";
  if (key === "pukSettled" && value === "stored")
    return "The card had kept its PUK: a desk's next PUK dropped";
  if (key === "decision" && value === "postpone") return "Decision postponed";
  if (key === "changes" && value && typeof value === "object")
    return `Changed ${Object.keys(value)
      .map((field) => userFieldLabels[field] ?? field)
      .join(", ")}`;
  if (key === "name" && typeof value === "string") {
    const identifier = entry.details.identifier;
    return typeof identifier === "string" ? `${value} (${identifier})` : value;
  }
  if (key === "identifier" && typeof entry.details.name === "string") return undefined; // said with the name
  if (key === "message" && typeof value === "string") return value;
  // Anything else: its name in words and a short value.
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const shown =
    typeof value === "boolean"
      ? value
        ? "yes"
        : "no"
      : Array.isArray(value)
        ? value.length <= 3 && value.every((v) => typeof v !== "object")
          ? value.join(", ")
          : `${value.length}`
        : typeof value === "object"
          ? undefined
          : String(value);
  if (shown === undefined) return undefined;
  return `${words[0]!.toUpperCase()}${words.slice(1)}: ${shown}`;
}

/**
 * An entry's details as a sentence: "Card 7001… · Active → Locked · Reason: Lost · Certificates
 * revoked: Key compromise". Empty when there is nothing to say beyond the action.
 */
export function entrySentence(entry: AuditEntry, options: { withTransition?: boolean } = {}): string {
  const { details } = entry;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    const part = said(key, value, entry);
    if (part) parts.push(part);
  }
  const from = typeof details.from === "string" ? details.from : undefined;
  const to = typeof details.to === "string" ? details.to : undefined;
  if ((options.withTransition ?? true) && to && from !== to) {
    const transition = from
      ? `${stateLabel(from, entry.objectType)} → ${stateLabel(to, entry.objectType)}`
      : stateLabel(to, entry.objectType);
    parts.splice(details.cardNumber ? 1 : 0, 0, transition);
  }
  return parts.join(" · ");
}
