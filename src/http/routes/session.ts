import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { logIn, logOut } from "../../access/authentication.js";
import { TesseraError } from "../../domain/errors.js";
import { actorOf, sessionCookie } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { actorSchema } from "./operator-schemas.js";

export function sessionRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const secure = app.config.publicUrl.startsWith("https://");
  return apiRoutes("session", {
    "POST /api/v1/session": apiRoute({
      access: "public",
      summary: "Log in: sets an httpOnly, SameSite=Strict session cookie",
      description: [
        "Failed logins make the failing side wait, growing with each failure: the same username",
        "from the same address, the username from all addresses (only addresses that have failed",
        "for it wait), and one address for all usernames. An attempt that must wait gets 429",
        "`auth.rate_limited` with `Retry-After` and `details.retryAfterSeconds`, whether the",
        "username exists or not. The client address is the peer's, or from `X-Forwarded-For`",
        "only when the peer is a configured proxy (TESSERA_TRUSTED_PROXIES).",
      ].join(" "),
      body: z.strictObject({
        username: z.string().min(1).max(200),
        password: z.string().min(1).max(200),
      }),
      response: { 200: z.object({ operator: actorSchema }) },
      handler: async (request, reply) => {
        const { sessionToken, actor } = await logIn(app.services, app.policy, {
          username: request.body.username,
          password: request.body.password,
          address: request.ip,
          previousSessionToken: request.cookies[sessionCookie],
        }).catch((error: unknown) => {
          if (error instanceof TesseraError && typeof error.details?.retryAfterSeconds === "number")
            reply.header("retry-after", String(error.details.retryAfterSeconds));
          throw error;
        });
        reply.setCookie(sessionCookie, sessionToken, {
          httpOnly: true,
          sameSite: "strict",
          secure,
          path: "/",
        });
        return { operator: actor };
      },
    }),

    "GET /api/v1/session": apiRoute({
      access: "operator",
      summary: "Who is logged in",
      response: { 200: z.object({ operator: actorSchema }) },
      handler: async (request) => ({ operator: actorOf(request) }),
    }),

    "DELETE /api/v1/session": apiRoute({
      access: "operator",
      summary: "Log out",
      response: { 204: z.null() },
      handler: async (request, reply) => {
        const token = request.cookies[sessionCookie];
        if (token) await logOut(app.services, token, actorOf(request));
        reply.clearCookie(sessionCookie, { path: "/" });
        return reply.status(204).send(null);
      },
    }),
  });
}
