import type {} from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateApiToken, authenticateSession } from "../access/authentication.js";
import type { App } from "../app.js";
import { TesseraError } from "../domain/errors.js";
import { hasAnyRole, type Role } from "../domain/roles.js";
import type { Actor } from "../processes/services.js";

export const sessionCookie = "tessera_session";

/**
 * Who may call a route, declared on the route as `config.access`: `public` (no login),
 * `operator` (any logged-in operator), or the roles of which one is needed.
 */
export type Access = "public" | "operator" | readonly Role[];

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

/** The actor of a request that passed the access check. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new TesseraError("auth.required");
  return request.actor;
}

export function registerAccessControl(server: FastifyInstance, app: App): void {
  server.decorateRequest("actor", undefined);
  // Runs before the body is parsed: an unauthenticated caller learns nothing about validation.
  server.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config?.access ?? "public";
    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match)
        throw new TesseraError("auth.invalid_token", "Send the token as: Authorization: Bearer <token>.");
      request.actor = await authenticateApiToken(app.services, match[1]!);
    } else {
      const token = request.cookies[sessionCookie];
      if (token) {
        request.actor = await authenticateSession(app.services, app.policy, token);
        if (!request.actor) reply.clearCookie(sessionCookie, { path: "/" });
      }
    }
    if (access === "public") return;
    if (!request.actor)
      throw new TesseraError("auth.required", "Log in first (your session may have expired).");
    if (access !== "operator" && !hasAnyRole(request.actor.roles, access))
      throw new TesseraError("auth.forbidden", `This needs the role ${access.join(" or ")}.`);
  });
}
