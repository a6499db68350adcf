import { type ErrorCode, TesseraError } from "../domain/errors.js";

/**
 * Unique-constraint violations are what a race between two requests looks like from here:
 * both checked, both inserted, one lost. Each constraint maps to the 409 the loser deserves.
 */
const constraintCodes: Record<string, ErrorCode> = {
  users_identifier_unique: "user.identifier_taken",
  "users.identifier": "user.identifier_taken",
  users_sid_unique: "user.sid_taken",
  "users.sid": "user.sid_taken",
  operators_username_key: "operator.username_taken",
  "operators.username": "operator.username_taken",
};

export function translateConstraintError(error: unknown): TesseraError | undefined {
  if (!(error instanceof Error)) return undefined;
  const pg = error as Error & { code?: string; constraint?: string };
  if (pg.code === "23505" && pg.constraint) {
    const code = constraintCodes[pg.constraint];
    return code ? new TesseraError(code) : undefined;
  }
  const sqlite = /^UNIQUE constraint failed: ([\w.]+)/.exec(error.message);
  if (sqlite && (error as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT")) {
    const code = constraintCodes[sqlite[1]!];
    return code ? new TesseraError(code) : undefined;
  }
  return undefined;
}
