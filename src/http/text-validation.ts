import type { FastifyInstance, FastifyRequest } from "fastify";
import { TesseraError } from "../domain/errors.js";
import { describeText, isValidText } from "../domain/text.js";
import { recordRefusal } from "../processes/recording-refusal.js";
import type { ServedApp } from "./served-app.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Path parameters that carry bytes in some encoding rather than text (OCSP's base64). */
    opaqueParams?: readonly string[];
    /** The process a route runs: a refusal at the edge is recorded in its history too. */
    process?: string;
  }
}

/** A step on the way down to a value, kept as a chain so a path is only spelled out when needed. */
interface Step {
  readonly parent: Step | undefined;
  readonly key: string;
}

function spell(step: Step): string {
  const keys: string[] = [];
  for (let s: Step | undefined = step; s; s = s.parent) keys.push(describeText(s.key));
  return keys.reverse().join(".");
}

/**
 * The path (`body.users.3.name`) of the first key or string under `value` that is not
 * well-formed Unicode or holds NUL, or undefined when all text is valid. Walks without
 * recursion, so a deeply nested body cannot exhaust the stack.
 */
export function findInvalidText(
  value: unknown,
  root: string,
  skip: readonly string[] = [],
): string | undefined {
  const pending: [unknown, Step][] = [[value, { parent: undefined, key: root }]];
  while (pending.length > 0) {
    const [current, step] = pending.pop()!;
    if (typeof current === "string") {
      if (!isValidText(current)) return spell(step);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        pending.push([current[i], { parent: step, key: String(i) }]);
    } else if (typeof current === "object" && current !== null && !ArrayBuffer.isView(current)) {
      for (const key of Object.keys(current)) {
        if (step.parent === undefined && skip.includes(key)) continue;
        const child: Step = { parent: step, key };
        if (!isValidText(key)) return spell(child);
        pending.push([(current as Record<string, unknown>)[key], child]);
      }
    }
  }
  return undefined;
}

/**
 * The one edge check for text: every path parameter, query parameter and JSON body value
 * (keys too, at any depth) must be well-formed Unicode without NUL, or the request is refused
 * with `request.invalid_text` before validation, handlers or the store see it. It runs after
 * the access check (onRequest) and body parsing, in preValidation. A process refused here is
 * recorded in the object history like any other refusal, with the field's path (escaped)
 * and never the offending text.
 */
export function registerTextValidation(server: FastifyInstance, app: ServedApp): void {
  server.addHook("preValidation", async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    const field =
      findInvalidText(request.params, "params", config?.opaqueParams) ??
      findInvalidText(request.query, "query") ??
      findInvalidText(request.body, "body");
    if (field === undefined) return;
    const error = new TesseraError(
      "request.invalid_text",
      `${field}: text must be well-formed Unicode without NUL characters.`,
      { field },
    );
    if (config?.process && request.actor)
      await recordRefusal(app.services, request.actor, config.process, {}, error);
    throw error;
  });
}
