import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import type { TestApp } from "./test-app.js";

/** Creates one user through `UsersProcCreate` as `actor`; returns the new user's id. */
export async function createUserAs(
  t: TestApp,
  actor: Actor,
  person: { firstName: string; lastName: string; email: string; identifier: string },
): Promise<string> {
  const { result } = await runProcess(t.app.services, actor, "UsersProcCreate", person);
  return (result as { user: { id: string } }).user.id;
}
