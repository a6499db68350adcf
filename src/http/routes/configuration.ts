import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { changeOptions } from "../../access/change-options.js";
import { approvePendingChange, rejectPendingChange } from "../../access/decide-pending-change.js";
import { cardTemplateSchema } from "../../domain/card-template.js";
import { processOptionsPatchSchema, processOptionsSchema } from "../../domain/process-options.js";
import { listPendingChanges } from "../../store/pending-changes.js";
import { actorOf } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { caInfoOf } from "./ca-info.js";
import { caInfoSchema } from "./ca-info-schema.js";
import { operatorSchema, pendingChangeSchema } from "./operator-schemas.js";

const administrator = ["administrator"] as const;
const pendingChangeParams = z.object({ id: z.string().min(1).max(64) });

export function configurationRoutes(app: ServedApp): FastifyPluginAsyncZod {
  return apiRoutes("configuration", {
    "GET /api/v1/templates": apiRoute({
      access: "operator",
      summary: "Card templates (from configuration)",
      response: { 200: z.object({ items: z.array(cardTemplateSchema) }) },
      handler: async () => ({ items: [...app.services.templates.values()] }),
    }),

    "GET /api/v1/ca": apiRoute({
      access: "operator",
      summary: "The CA in use: its name, key type and validity, and its OCSP responder's",
      response: { 200: caInfoSchema },
      handler: async () => caInfoOf(app.services.ca),
    }),

    "GET /api/v1/options": apiRoute({
      access: "operator",
      summary: "The deployment's process options",
      response: { 200: processOptionsSchema },
      handler: () => app.services.getOptions(),
    }),

    "PATCH /api/v1/options": apiRoute({
      access: administrator,
      summary:
        "Change process options (only the fields sent). 200 with the options; a patch that changes nothing " +
        "writes nothing. A patch that weakens a four-eyes rule (switching the approval step off) does not " +
        "apply: the whole patch, all its fields, becomes a pending change that another administrator " +
        "approves or rejects — 202 with it",
      body: processOptionsPatchSchema,
      response: { 200: processOptionsSchema, 202: z.object({ pendingChange: pendingChangeSchema }) },
      handler: async (request, reply) => {
        const outcome = await changeOptions(app.services, actorOf(request), request.body);
        if (!outcome.applied) return reply.status(202).send({ pendingChange: outcome.pendingChange });
        return reply.status(200).send(outcome.options);
      },
    }),

    "GET /api/v1/pending-changes": apiRoute({
      access: administrator,
      summary: "Changes waiting for a second administrator (pending first, then the latest decided)",
      querystring: z.strictObject({
        state: z.enum(["pending", "approved", "rejected"]).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ items: z.array(pendingChangeSchema) }) },
      handler: async (request) => ({
        items: await listPendingChanges(app.services.store.db, request.query),
      }),
    }),

    "POST /api/v1/pending-changes/:id/approve": apiRoute({
      access: administrator,
      summary:
        "Approve a pending change (an administrator other than who proposed it): it applies now. " +
        "For an operator created without a password, the generated password is returned once",
      params: pendingChangeParams,
      response: {
        200: z.object({
          pendingChange: pendingChangeSchema,
          options: processOptionsSchema.optional(),
          operator: operatorSchema.optional(),
          password: z.string().optional(),
        }),
      },
      handler: async (request) => approvePendingChange(app.services, actorOf(request), request.params.id),
    }),

    "POST /api/v1/pending-changes/:id/reject": apiRoute({
      access: administrator,
      summary: "Reject a pending change (an administrator other than who proposed it): it never applies",
      params: pendingChangeParams,
      response: { 200: z.object({ pendingChange: pendingChangeSchema }) },
      handler: async (request) => rejectPendingChange(app.services, actorOf(request), request.params.id),
    }),
  });
}
