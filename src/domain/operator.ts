import type { Role } from "./roles.js";

/** Someone who works in Tessera, with the roles that decide what they may do (never their password). */
export interface Operator {
  id: string;
  username: string;
  roles: Role[];
  disabled: boolean;
  /** Failed logins of this username from all addresses (see `store/login-throttle.ts`). */
  failedLogins: number;
  /**
   * Until when addresses that have failed for this username must wait before trying again;
   * addresses that have not failed are never held up by it.
   */
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}
