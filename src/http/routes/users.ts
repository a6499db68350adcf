import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { TesseraError } from "../../domain/errors.js";
import { cardSchema, toCardView, userSchema } from "../../processes/schemas.js";
import { findCardsOfUser } from "../../store/cards.js";
import { findUserById, findUserPhoto, searchUsers } from "../../store/users.js";
import type { ServedApp } from "../served-app.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

export function userRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return async (server) => {
    server.get(
      "/api/v1/users",
      {
        config: { access: "operator" },
        schema: {
          tags: ["users"],
          summary: "Search users by the start of their name (last first), identifier or e-mail",
          querystring: pageQuerySchema.extend({
            q: z.string().max(200).optional(),
            state: z.enum(["active", "inactive"]).optional(),
            organizationalUnit: z.string().max(64).optional(),
          }),
          response: { 200: pageSchema(userSchema) },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return searchUsers(db, filter, { cursor, limit });
      },
    );

    server.get(
      "/api/v1/users/:id",
      {
        config: { access: "operator" },
        schema: {
          tags: ["users"],
          params: z.object({ id: z.string().max(64) }),
          response: { 200: z.object({ user: userSchema, cards: z.array(cardSchema) }) },
        },
      },
      async (request) => {
        const user = await findUserById(db, request.params.id);
        if (!user) throw new TesseraError("user.not_found");
        return { user, cards: (await findCardsOfUser(db, user.id)).map(toCardView) };
      },
    );

    server.get(
      "/api/v1/users/:id/photo",
      {
        config: { access: "operator" },
        schema: {
          tags: ["users"],
          summary: "The user's photo (JPEG or PNG)",
          params: z.object({ id: z.string().max(64) }),
        },
      },
      async (request, reply) => {
        const photo = await findUserPhoto(db, request.params.id);
        if (!photo) throw new TesseraError("user.not_found", "The user has no photo.");
        return reply.type(photo.type).header("cache-control", "private, max-age=300").send(photo.data);
      },
    );
  };
}
