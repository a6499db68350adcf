import type {} from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateApiToken, authenticateSession } from "../access/authentication.js";
import { TesseraError } from "../domain/errors.js";
import { hasAnyRole, type Role } from "../domain/roles.js";
import type { Actor } from "../services/services.js";
import type { ServedApp } from "./served-app.js";

export const sessionCookie = "tessera_session";

/**
 * Who may call a route, declared on the route as `config.access`: `public` (no login),
 * `operator` (any logged-in operator), or the roles of which one is needed.
 */
export type Access = "public" | "operator" | readonly Role[];

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * A GET that hands out a card's secrets: counted (a token's downloads) and recorded as the
     * operator's, so a change like any POST for the cross-site check.
     */
    download?: boolean;
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

const stateChangingMethods = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/**
 * Whether a request was sent by a page of another site (a CSRF attempt): the browser says so
 * in `Sec-Fetch-Site`, or its `Origin` is neither the public URL's origin nor the request's own
 * host. Scripts (curl, bearer tokens) send neither header and are not browsers' victims.
 */
export function isCrossSiteRequest(
  headers: { origin?: string | undefined; host?: string | undefined; "sec-fetch-site"?: unknown },
  publicOrigin: string,
): boolean {
  if (headers["sec-fetch-site"] === "cross-site") return true;
  // The browser's own word: a page of this origin (or a typed address). A form posted from a
  // page served with `Referrer-Policy: no-referrer` carries `Origin: null`, which alone would
  // read as another site's.
  if (headers["sec-fetch-site"] === "same-origin" || headers["sec-fetch-site"] === "none") return false;
  const { origin } = headers;
  if (origin === undefined || origin === publicOrigin) return false;
  // `Origin: null` (a sandboxed frame, a redirect across sites) cannot be parsed: cross-site.
  if (!URL.canParse(origin)) return true;
  return new URL(origin).host !== headers.host;
}

export function registerAccessControl(server: FastifyInstance, app: ServedApp): void {
  server.decorateRequest("actor", undefined);
  const publicOrigin = new URL(app.config.publicUrl).origin;
  // Runs before the body is parsed: an unauthenticated caller learns nothing about validation.
  server.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    // SameSite=Strict keeps the cookie off cross-site requests in today's browsers; this check
    // holds where it does not (older browsers, a sibling subdomain). OCSP is asked by relying
    // parties from anywhere and changes nothing.
    if (
      stateChangingMethods.has(request.method) &&
      !request.routeOptions.url?.startsWith("/pki/") &&
      isCrossSiteRequest(request.headers, publicOrigin)
    )
      throw new TesseraError("request.cross_site");
    // A download is asked for without an Origin (an <img>, a link): only Sec-Fetch-Site tells.
    // Another page of the same site (a sibling subdomain) gets the SameSite cookie sent along,
    // so only the site's own pages, a typed address and scripts (no header) may fetch secrets.
    if (
      request.routeOptions.config?.download &&
      (isCrossSiteRequest(request.headers, publicOrigin) || request.headers["sec-fetch-site"] === "same-site")
    )
      throw new TesseraError("request.cross_site");
    // An unmatched URL gets its 404; a route that declares no access is refused (fail closed).
    const access = request.routeOptions.config?.access ?? (request.is404 ? "public" : undefined);
    if (access === undefined)
      throw new TesseraError("auth.forbidden", "This route declares no access, so nobody may call it.");
    // A public route serves anonymous callers: a token or session sent along (perhaps revoked
    // or expired) is not looked at, so it cannot turn an open answer into a 401.
    if (access === "public") return;
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
    if (!request.actor)
      throw new TesseraError("auth.required", "Log in first (your session may have expired).");
    if (access !== "operator" && !hasAnyRole(request.actor.roles, access))
      throw new TesseraError("auth.forbidden", `This needs the role ${access.join(" or ")}.`);
  });
}
