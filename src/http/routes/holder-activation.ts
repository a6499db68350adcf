import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { TesseraError } from "../../domain/errors.js";
import { activateAsHolder } from "../../processes/holder-activation.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import { holderActivationPage } from "../holder-activation-page.js";
import type { ServedApp } from "../served-app.js";

const bodySchema = z.strictObject({
  cardNumber: z.string().max(100).default(""),
  code: z.string().max(100).default(""),
});

/**
 * The public page where holders activate their own cards (issue 12). A browser's form post gets
 * the page back with the outcome (and the status an API client would get); a JSON post gets
 * `{cardNumber}` or the error shape of the API.
 */
export function holderActivationRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const language = app.config.language ?? "en";
  const office = app.config.organizationName;
  const routes = apiRoutes("activation", {
    "GET /activate": apiRoute({
      access: "public",
      summary: "The holder's activation page (HTML, no script)",
      handler: async (_request, reply) =>
        reply
          .type("text/html; charset=utf-8")
          .header("cache-control", "no-store")
          .send(holderActivationPage({ language, office })),
    }),
    "POST /activate": apiRoute({
      access: "public",
      summary: "A holder activates their card with the code of its PIN letter (form or JSON)",
      description:
        "Answers 200 `{cardNumber}` to JSON, or the page with the outcome to a form post (the status as for JSON). Refusals: activation.* error codes.",
      body: bodySchema,
      bodyLimit: 4096,
      handler: async (request, reply) => {
        const asPage = request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded");
        try {
          const done = await activateAsHolder(app.services, { ...request.body, address: request.ip });
          if (!asPage) return done;
          return reply
            .type("text/html; charset=utf-8")
            .header("cache-control", "no-store")
            .send(holderActivationPage({ language, office, outcome: { ok: true, ...done } }));
        } catch (error) {
          if (!asPage || !(error instanceof TesseraError) || error.status >= 500) throw error;
          return reply
            .status(error.status)
            .type("text/html; charset=utf-8")
            .header("cache-control", "no-store")
            .send(
              holderActivationPage({
                language,
                office,
                cardNumber: request.body.cardNumber,
                outcome: { ok: false, code: error.code },
              }),
            );
        }
      },
    }),
  });
  return async (server) => {
    // Browsers post the page's form urlencoded; nothing else here takes that type.
    server.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 4096 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await server.register(routes);
  };
}
