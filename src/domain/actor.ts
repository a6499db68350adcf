import type { Role } from "./roles.js";

/** Who is acting: an operator logged in with a session or an API token. */
export interface Actor {
  id: string;
  username: string;
  roles: Role[];
}

/** Where time comes from: the wall clock in production, a fixed one in tests. */
export type Clock = () => Date;
