import type { z } from "zod";
import type { ProcessDefinition, SymbolicName } from "../domain/process-catalog.js";
import type { Actor, Services } from "../services/services.js";
import {
  type ProcessAnswer,
  type ProcessBody,
  type ProcessContracts,
  processContracts,
} from "./process-contracts.js";

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

/** What a use case adds to its catalog entry: how it answers and what it does. */
interface ProcessImplementation<Name extends SymbolicName> {
  /** 200 for a single process, 202 for a batch order. */
  readonly status: 200 | 202;
  run(services: Services, actor: Actor, body: ProcessBody<Name>): Promise<ProcessAnswer<Name>>;
}

/** The handler of a process: its catalog entry and its contract (`process-contracts.ts`), run by `implementation`. */
export type HandlerOf<Name extends SymbolicName> = ProcessHandler<
  ProcessContracts[Name]["body"],
  ProcessContracts[Name]["result"]
>;

/**
 * The handler of the process `definition` (from `findProcess`, which the use case also records
 * its history under, so both name the same process), with its contract, run by `implementation`.
 */
export function defineProcess<Name extends SymbolicName>(
  definition: ProcessDefinition<Name>,
  implementation: ProcessImplementation<Name>,
): HandlerOf<Name> {
  const { body, result } = processContracts[definition.symbolicName];
  return { ...implementation, definition, body, result };
}
