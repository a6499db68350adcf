import { z } from "zod";
import { roles } from "../../domain/roles.js";

/** An operator as the API shows it (never its password hash). */
export const operatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  roles: z.array(z.enum(roles)),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A change that waits for a second administrator (issue 8: nobody decides alone). */
export const pendingChangeSchema = z.object({
  id: z.string(),
  kind: z.enum(["options", "operator.create", "operator.change"]),
  /** The operator an `operator.change` is about. */
  objectId: z.string().nullable(),
  /** The change as proposed: an options patch, or an operator's username, roles and flags (never a password). */
  change: z.record(z.string(), z.unknown()),
  /** The four-eyes rules it touches, e.g. `approvalStep`, `administratorRole`. */
  rules: z.array(z.string()),
  state: z.enum(["pending", "approved", "rejected"]),
  proposedBy: z.string(),
  proposedByName: z.string(),
  proposedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

/** The operator a session or API token acts as (`POST /api/v1/session`'s `operator`). */
export const actorSchema = z.object({ id: z.string(), username: z.string(), roles: z.array(z.enum(roles)) });

/** An API token as the API shows it (never the token itself, which is shown once at creation). */
export const tokenSchema = z.object({
  id: z.string(),
  operatorId: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
