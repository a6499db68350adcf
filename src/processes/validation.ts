import { TesseraError } from "../domain/errors.js";

type Issue = { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] };

/** Zod's issues, said the way a person would: "email: required", "nickname: unknown field". */
export function describeIssues(rawIssues: readonly Issue[]): { path: string; message: string }[] {
  return rawIssues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys" && issue.keys)
      return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: "unknown field" }));
    if (/received undefined$/.test(issue.message)) return [{ path, message: "required" }];
    return [{ path, message: issue.message }];
  });
}

/** A validation failure as one sentence naming the field, plus every issue for machines. */
export function validationError(rawIssues: readonly Issue[]): TesseraError {
  const issues = describeIssues(rawIssues);
  const first = issues[0];
  const message = first
    ? first.path
      ? `${first.path}: ${first.message}`
      : first.message
    : "The request is not valid.";
  return new TesseraError("request.invalid", message, { field: first?.path ?? "", issues });
}
