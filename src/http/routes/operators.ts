import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  changeOperator,
  createApiToken,
  createOperator,
  newApiTokenSchema,
  newOperatorSchema,
  operatorChangesSchema,
  revokeToken,
} from "../../access/operators.js";
import { hasAnyRole } from "../../domain/roles.js";
import { listApiTokens } from "../../store/api-tokens.js";
import { listOperators } from "../../store/operators.js";
import { actorOf } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { operatorSchema, pendingChangeSchema, tokenSchema } from "./operator-schemas.js";
import { idParamsSchema } from "./paging.js";

const admin = ["administrator"] as const;
const pendingAnswer = z.object({ pendingChange: pendingChangeSchema });
const params = idParamsSchema;

export function operatorRoutes(app: ServedApp): FastifyPluginAsyncZod {
  return apiRoutes("operators", {
    "GET /api/v1/operators": apiRoute({
      access: admin,
      response: { 200: z.object({ items: z.array(operatorSchema) }) },
      handler: async () => ({ items: await listOperators(app.services.store.db) }),
    }),

    "POST /api/v1/operators": apiRoute({
      access: admin,
      summary:
        "Create an operator; without a password one is generated and returned once. " +
        "A new administrator while two administrators are enabled waits for another administrator: 202 with the pending change",
      body: newOperatorSchema,
      response: {
        201: z.object({ operator: operatorSchema, password: z.string().optional() }),
        202: pendingAnswer,
      },
      handler: async (request, reply) => {
        const created = await createOperator(app.services, actorOf(request), request.body);
        if ("pendingChange" in created) return reply.status(202).send(created);
        const { operator, password } = created;
        return reply.status(201).send({ operator, ...(password && { password }) });
      },
    }),

    "PATCH /api/v1/operators/:id": apiRoute({
      access: admin,
      summary:
        "Change roles, disable or enable, reset the password, or lift a lock. Nobody changes their own roles. " +
        "A change that makes an enabled administrator, or sets another administrator's password (enabled or not), " +
        "while two administrators are enabled, or disables or demotes one of only two enabled administrators, waits, as a whole, " +
        "for another administrator: 202 with the pending change",
      params,
      body: operatorChangesSchema,
      response: { 200: z.object({ operator: operatorSchema }), 202: pendingAnswer },
      handler: async (request, reply) => {
        const changed = await changeOperator(app.services, actorOf(request), request.params.id, request.body);
        return reply.status("pendingChange" in changed ? 202 : 200).send(changed);
      },
    }),

    "GET /api/v1/tokens": apiRoute({
      access: "operator",
      summary: "API tokens: an administrator sees every token, any other operator their own",
      response: { 200: z.object({ items: z.array(tokenSchema) }) },
      handler: async (request) => {
        const actor = actorOf(request);
        const everyone = hasAnyRole(actor.roles, ["administrator"]);
        return {
          items: await listApiTokens(app.services.store.db, everyone ? {} : { operatorId: actor.id }),
        };
      },
    }),

    "POST /api/v1/tokens": apiRoute({
      access: "operator",
      summary:
        "Create an API token for scripts, acting as you (any operator, for themselves); " +
        "the token is shown once and stored only as a hash",
      body: newApiTokenSchema,
      response: { 201: z.object({ id: z.string(), token: z.string() }) },
      handler: async (request, reply) =>
        reply.status(201).send(await createApiToken(app.services, actorOf(request), request.body)),
    }),

    "DELETE /api/v1/tokens/:id": apiRoute({
      access: "operator",
      summary: "Revoke an API token: your own, or (administrator) anyone's",
      params,
      response: { 204: z.null() },
      handler: async (request, reply) => {
        await revokeToken(app.services, actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    }),
  });
}
