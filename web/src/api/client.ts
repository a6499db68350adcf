/**
 * The one way the UI talks to Tessera: JSON over fetch, with the session cookie.
 *
 * Every failure becomes an {@link ApiError} whose message is a sentence a person can read.
 * When the session has expired (401 `auth.required`), the request waits while the operator logs
 * in again (see SessionProvider) and is then sent once more, so nothing typed is lost.
 */

import type { ProcessAnswer, ProcessBodyInput, SymbolicName } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Whether the server does not offer this route yet (an older or partial deployment). */
  get isMissingRoute(): boolean {
    return this.code === "route.not_found" || this.code === "process.not_found";
  }
}

/** Errors the server names without `details.field`, but which belong to one field of a form. */
const fieldOfCode: Record<string, string> = {
  "user.identifier_taken": "identifier",
  "user.photo_invalid": "photo",
  "operator.username_taken": "username",
  "card.reason_required": "reason",
  "template.not_found": "template",
};

/** A message as a sentence: capitalised, with a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The errors of a failed form submission, by field name, as sentences. A validation error
 * carries every issue (`details.issues`), so each field gets its own sentence.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const errors: Record<string, string> = {};
  const issues = error.details?.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues as { path?: unknown; message?: unknown }[]) {
      if (typeof issue.path !== "string" || typeof issue.message !== "string") continue;
      // A route's own schema names the part of the request first ("body.username"); a form
      // knows its fields by name alone.
      const path = issue.path.replace(/^(body|querystring|params|headers)\./, "");
      // Both the full path ("options.pinLength") and its first part ("options") name the field.
      const field = path.split(".")[0]!;
      if (field && !errors[field]) errors[field] = sentence(issue.message);
      if (path !== field && !errors[path]) errors[path] = sentence(issue.message);
    }
  }
  const field = typeof error.details?.field === "string" ? error.details.field : fieldOfCode[error.code];
  if (field && !errors[field]) {
    // "email: not an e-mail address" → "Not an e-mail address." next to the e-mail field.
    const prefix = `${field}: `;
    errors[field] = sentence(
      error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
    );
  }
  return errors;
}

/** A sentence for anything thrown, for places that show one message. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return sentence(error.message);
  return "Something went wrong.";
}

type SessionExpiredHandler = () => Promise<void>;
let sessionExpiredHandler: SessionExpiredHandler | undefined;

/** Registered by SessionProvider: resolves once the operator has logged in again. */
export function onSessionExpired(handler: SessionExpiredHandler | undefined): void {
  sessionExpiredHandler = handler;
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

interface RequestOptions {
  /** Whether to wait for a new login and retry when the session has expired (default true). */
  retryOnExpiry?: boolean;
  signal?: AbortSignal;
  /** The answer's body as it is (an SVG), not parsed as JSON; errors are still read as JSON. */
  asText?: boolean;
}

async function send(method: Method, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    });
  } catch (caught) {
    if (caught instanceof DOMException && caught.name === "AbortError") throw caught;
    throw new ApiError(
      0,
      "network",
      "Tessera cannot be reached. Check the network connection and try again.",
    );
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error;
    if (error && typeof error.code === "string" && typeof error.message === "string")
      return new ApiError(
        response.status,
        error.code,
        error.message,
        typeof error.details === "object" && error.details !== null
          ? (error.details as Record<string, unknown>)
          : undefined,
      );
  } catch {
    // Not JSON (a proxy's error page, say): described below by its status.
  }
  if (response.status === 404)
    return new ApiError(404, "route.not_found", "This server does not offer that yet.");
  if (response.status >= 500)
    return new ApiError(
      response.status,
      "internal",
      `The server failed (HTTP ${response.status}); try again.`,
    );
  return new ApiError(response.status, "http", `The server refused the request (HTTP ${response.status}).`);
}

export async function apiRequest<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const { retryOnExpiry = true, signal } = options;
  let response = await send(method, path, body, signal);
  if (!response.ok) {
    let error = await errorOf(response);
    if (error.code === "auth.required" && retryOnExpiry && sessionExpiredHandler) {
      await sessionExpiredHandler();
      response = await send(method, path, body, signal);
      if (!response.ok) error = await errorOf(response);
    }
    if (!response.ok) throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (options.asText) return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => apiRequest<T>("GET", path, undefined, { signal }),
  getText: (path: string, signal?: AbortSignal) =>
    apiRequest<string>("GET", path, undefined, { signal, asText: true }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => apiRequest<T>("PATCH", path, body),
  delete: <T = void>(path: string) => apiRequest<T>("DELETE", path),
};

/** `/path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Runs a process of the catalog: `POST /api/v1/processes/{symbolicName}`, its body and its
 * answer typed by the process's contract on the server (src/processes/process-contracts.ts).
 */
export function runProcess<Name extends SymbolicName>(
  symbolicName: Name,
  body: ProcessBodyInput<Name>,
): Promise<ProcessAnswer<Name>> {
  return api.post<ProcessAnswer<Name>>(`/api/v1/processes/${symbolicName}`, body);
}
