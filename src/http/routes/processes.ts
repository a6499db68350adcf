import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isSymbolicName, processCatalog } from "../../domain/process-catalog.js";
import { hasAnyRole } from "../../domain/roles.js";
import type { ProcessHandler } from "../../processes/process-handler.js";
import { processHandlers, processNotFound, runProcess } from "../../processes/registry.js";
import { actorOf } from "../access.js";
import { type ApiRoute, apiRoute, apiRoutes } from "../api-route.js";
import { errorBodySchema } from "../errors.js";
import type { ServedApp } from "../served-app.js";
import { catalogEntrySchema } from "./process-schemas.js";

export function processRoutes(app: ServedApp): FastifyPluginAsyncZod {
  // One route per process, so each is documented with its own body and answer. The body is
  // validated by runProcess (not by Fastify) so that a refused request is also recorded.
  const processRoute = ({ definition, body, status, result }: ProcessHandler): ApiRoute =>
    apiRoute({
      access: "operator",
      config: { process: definition.symbolicName },
      attachValidation: true,
      summary: `${definition.name} — ${definition.outcome}`,
      description: `Roles: ${definition.roles.join(", ")}. Required card state: ${
        definition.requiredCardStates.join(", ") || "—"
      }.`,
      body,
      response: { [status]: result, "4xx": errorBodySchema },
      handler: async (request, reply) => {
        const outcome = await runProcess(
          app.services,
          actorOf(request),
          definition.symbolicName,
          request.body,
        );
        return reply.status(outcome.status).send(outcome.result);
      },
    });

  return apiRoutes("processes", {
    "GET /api/v1/processes": apiRoute({
      access: "operator",
      summary: "The process catalog, with this deployment's options and their defaults",
      response: { 200: z.object({ items: z.array(catalogEntrySchema) }) },
      handler: async (request) => {
        const actor = actorOf(request);
        const options = (await app.services.getOptions()) as Record<string, unknown>;
        return {
          items: processCatalog
            .filter((p) => processHandlers.has(p.symbolicName))
            .map((p) => ({
              ...p,
              requiredCardStates: [...p.requiredCardStates],
              roles: [...p.roles],
              options: Object.fromEntries(p.options.map((name) => [name, options[name]])),
              allowed: hasAnyRole(actor.roles, p.roles),
            })),
        };
      },
    }),

    ...Object.fromEntries(
      [...processHandlers.values()].map((handler) => [
        `POST /api/v1/processes/${handler.definition.symbolicName}`,
        processRoute(handler),
      ]),
    ),

    "POST /api/v1/processes/:symbolicName": apiRoute({
      access: "operator",
      hide: true,
      params: z.object({ symbolicName: z.string().max(100) }),
      handler: async (request) => {
        const { symbolicName } = request.params;
        if (!isSymbolicName(symbolicName)) throw processNotFound(symbolicName);
        await runProcess(app.services, actorOf(request), symbolicName, request.body);
      },
    }),
  });
}
