import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isSymbolicName, processCatalog } from "../../domain/process-catalog.js";
import { processHandlers, processNotFound, runProcess } from "../../processes/registry.js";
import { actorOf } from "../access.js";
import { errorBodySchema } from "../errors.js";
import type { ServedApp } from "../served-app.js";
import { catalogEntrySchema } from "./process-schemas.js";

export function processRoutes(app: ServedApp): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      "/api/v1/processes",
      {
        config: { access: "operator" },
        schema: {
          tags: ["processes"],
          summary: "The process catalog, with this deployment's options and their defaults",
          response: { 200: z.object({ items: z.array(catalogEntrySchema) }) },
        },
      },
      async (request) => {
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
              allowed: p.roles.some((role) => actor.roles.includes(role)),
            })),
        };
      },
    );

    // One route per process, so each is documented with its own body and answer. The body is
    // validated by runProcess (not by Fastify) so that a refused request is also recorded.
    for (const handler of processHandlers.values()) {
      const { definition } = handler;
      server.post(
        `/api/v1/processes/${definition.symbolicName}`,
        {
          config: { access: "operator", process: definition.symbolicName },
          attachValidation: true,
          schema: {
            tags: ["processes"],
            summary: `${definition.name} — ${definition.outcome}`,
            description: `Roles: ${definition.roles.join(", ")}. Required card state: ${
              definition.requiredCardStates.join(", ") || "—"
            }.`,
            body: handler.body,
            response: { [handler.status]: handler.result, "4xx": errorBodySchema },
          },
        },
        async (request, reply) => {
          const { status, result } = await runProcess(
            app.services,
            actorOf(request),
            definition.symbolicName,
            request.body,
          );
          return reply.status(status).send(result);
        },
      );
    }

    server.post(
      "/api/v1/processes/:symbolicName",
      {
        config: { access: "operator" },
        schema: { tags: ["processes"], hide: true, params: z.object({ symbolicName: z.string().max(100) }) },
      },
      async (request) => {
        const { symbolicName } = request.params;
        if (!isSymbolicName(symbolicName)) throw processNotFound(symbolicName);
        await runProcess(app.services, actorOf(request), symbolicName, request.body);
      },
    );
  };
}
