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
import type { App } from "../../app.js";
import { roles } from "../../domain/roles.js";
import { listApiTokens } from "../../store/api-tokens.js";
import { listOperators } from "../../store/operators.js";
import { actorOf } from "../access.js";

const operatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  roles: z.array(z.enum(roles)),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const tokenSchema = z.object({
  id: z.string(),
  operatorId: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const admin = { access: ["administrator"] as const };

export function operatorRoutes(app: App): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      "/api/v1/operators",
      {
        config: admin,
        schema: { tags: ["operators"], response: { 200: z.object({ items: z.array(operatorSchema) }) } },
      },
      async () => ({ items: await listOperators(app.services.store.db) }),
    );

    server.post(
      "/api/v1/operators",
      {
        config: admin,
        schema: {
          tags: ["operators"],
          summary: "Create an operator; without a password one is generated and returned once",
          body: newOperatorSchema,
          response: { 201: z.object({ operator: operatorSchema, password: z.string().optional() }) },
        },
      },
      async (request, reply) => {
        const { operator, password } = await createOperator(app.services, actorOf(request), request.body);
        return reply.status(201).send({ operator, ...(password && { password }) });
      },
    );

    server.patch(
      "/api/v1/operators/:id",
      {
        config: admin,
        schema: {
          tags: ["operators"],
          summary: "Change roles, disable or enable, reset the password, or lift a lock",
          params: z.object({ id: z.string().max(64) }),
          body: operatorChangesSchema,
          response: { 200: z.object({ operator: operatorSchema }) },
        },
      },
      async (request) => ({
        operator: await changeOperator(app.services, actorOf(request), request.params.id, request.body),
      }),
    );

    server.get(
      "/api/v1/tokens",
      {
        config: admin,
        schema: { tags: ["operators"], response: { 200: z.object({ items: z.array(tokenSchema) }) } },
      },
      async () => ({ items: await listApiTokens(app.services.store.db) }),
    );

    server.post(
      "/api/v1/tokens",
      {
        config: admin,
        schema: {
          tags: ["operators"],
          summary: "Create an API token for scripts; the token is shown once and stored only as a hash",
          body: newApiTokenSchema,
          response: { 201: z.object({ id: z.string(), token: z.string() }) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createApiToken(app.services, actorOf(request), request.body)),
    );

    server.delete(
      "/api/v1/tokens/:id",
      {
        config: admin,
        schema: {
          tags: ["operators"],
          params: z.object({ id: z.string().max(64) }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await revokeToken(app.services, actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
