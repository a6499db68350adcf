import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { logIn, logOut } from "../../access/authentication.js";
import { createLoginThrottle } from "../../access/login-throttle.js";
import type { App } from "../../app.js";
import { TesseraError } from "../../domain/errors.js";
import { roles } from "../../domain/roles.js";
import { actorOf, sessionCookie } from "../access.js";

const actorSchema = z.object({ id: z.string(), username: z.string(), roles: z.array(z.enum(roles)) });

export function sessionRoutes(app: App): FastifyPluginAsyncZod {
  const throttle = createLoginThrottle({ limit: 30, windowMs: 60_000 });
  const secure = app.config.publicUrl.startsWith("https://");
  return async (server) => {
    server.post(
      "/api/v1/session",
      {
        config: { access: "public" },
        schema: {
          tags: ["session"],
          summary: "Log in: sets an httpOnly, SameSite=Strict session cookie",
          body: z.strictObject({
            username: z.string().min(1).max(200),
            password: z.string().min(1).max(200),
          }),
          response: { 200: z.object({ operator: actorSchema }) },
        },
      },
      async (request, reply) => {
        if (!throttle.tryAttempt(request.ip, Date.now())) throw new TesseraError("auth.rate_limited");
        const { sessionToken, actor } = await logIn(app.services, app.policy, {
          username: request.body.username,
          password: request.body.password,
          previousSessionToken: request.cookies[sessionCookie],
        });
        reply.setCookie(sessionCookie, sessionToken, {
          httpOnly: true,
          sameSite: "strict",
          secure,
          path: "/",
        });
        return { operator: actor };
      },
    );

    server.get(
      "/api/v1/session",
      {
        config: { access: "operator" },
        schema: {
          tags: ["session"],
          summary: "Who is logged in",
          response: { 200: z.object({ operator: actorSchema }) },
        },
      },
      async (request) => ({ operator: actorOf(request) }),
    );

    server.delete(
      "/api/v1/session",
      {
        config: { access: "operator" },
        schema: { tags: ["session"], summary: "Log out", response: { 204: z.null() } },
      },
      async (request, reply) => {
        const token = request.cookies[sessionCookie];
        if (token) await logOut(app.services, token, actorOf(request));
        reply.clearCookie(sessionCookie, { path: "/" });
        return reply.status(204).send(null);
      },
    );
  };
}
