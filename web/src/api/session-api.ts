import { apiRequest } from "./client";
import type { SessionOperator } from "./types";

/** Logs in; never waits for a re-login (it is the re-login). */
export function logInRequest(username: string, password: string): Promise<{ operator: SessionOperator }> {
  return apiRequest("POST", "/api/v1/session", { username, password }, { retryOnExpiry: false });
}
