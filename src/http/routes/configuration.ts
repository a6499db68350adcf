import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../../app.js";
import { cardTemplateSchema } from "../../domain/card-template.js";
import {
  mergeProcessOptions,
  processOptionsPatchSchema,
  processOptionsSchema,
} from "../../domain/process-options.js";
import { findProcessOptions, saveProcessOptions } from "../../store/process-options.js";
import { actorOf } from "../access.js";

export function configurationRoutes(app: App): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return async (server) => {
    server.get(
      "/api/v1/templates",
      {
        config: { access: "operator" },
        schema: {
          tags: ["configuration"],
          summary: "Card templates (from configuration)",
          response: { 200: z.object({ items: z.array(cardTemplateSchema) }) },
        },
      },
      async () => ({ items: [...app.services.templates.values()] }),
    );

    server.get(
      "/api/v1/options",
      {
        config: { access: "operator" },
        schema: {
          tags: ["configuration"],
          summary: "The deployment's process options",
          response: { 200: processOptionsSchema },
        },
      },
      () => app.services.getOptions(),
    );

    server.patch(
      "/api/v1/options",
      {
        config: { access: ["administrator"] },
        schema: {
          tags: ["configuration"],
          summary: "Change process options (only the fields sent)",
          body: processOptionsPatchSchema,
          response: { 200: processOptionsSchema },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        return db.transaction().execute(async (trx) => {
          const current = (await findProcessOptions(trx)) ?? app.config.options;
          const next = mergeProcessOptions(current, request.body);
          const at = app.services.clock().toISOString();
          await saveProcessOptions(trx, next, actor.id, at);
          await app.services.audit.append(
            trx,
            [
              {
                action: "options.change",
                objectType: "options",
                outcome: "success",
                operator: actor,
                details: request.body,
              },
            ],
            at,
          );
          return next;
        });
      },
    );
  };
}
