import type { z } from "zod";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import type { Actor, Services } from "../services/services.js";

/**
 * One operator use case behind `POST /api/v1/processes/{symbolicName}`: its catalog entry, the
 * schema of its body (which also types `run` and feeds OpenAPI) and of its answer.
 */
export interface ProcessHandler<Body extends z.ZodType = z.ZodType, Result extends z.ZodType = z.ZodType> {
  readonly definition: ProcessDefinition;
  readonly body: Body;
  readonly result: Result;
  /** 200 for a single process, 202 for a batch order. */
  readonly status: 200 | 202;
  run(services: Services, actor: Actor, body: z.infer<Body>): Promise<z.infer<Result>>;
}

export function defineProcess<Body extends z.ZodType, Result extends z.ZodType>(
  handler: ProcessHandler<Body, Result>,
): ProcessHandler<Body, Result> {
  return handler;
}
