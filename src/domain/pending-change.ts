import type { PendingChangeKind, PendingChangeState } from "./four-eyes-rules.js";

/** A change that waits for a second administrator, as the API shows it (no password hash). */
export interface PendingChange {
  id: string;
  kind: PendingChangeKind;
  objectId: string | null;
  change: Record<string, unknown>;
  rules: string[];
  state: PendingChangeState;
  proposedBy: string;
  proposedByName: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
}
