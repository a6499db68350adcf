import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { TesseraError } from "../../domain/errors.js";
import { cardSchema, toCardView, userSchema } from "../../processes/schemas.js";
import { findCardsOfUser } from "../../store/cards.js";
import { findUserById, findUserPhoto, searchUsers, userSortFields } from "../../store/users.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { expiresBeforeQuery } from "./expiry-schemas.js";
import { idParamsSchema, searchRoute } from "./paging.js";

const params = idParamsSchema;

export function userRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return apiRoutes("users", {
    "GET /api/v1/users": searchRoute({
      access: "operator",
      summary: "Search users by words of their name, identifier or e-mail",
      filters: {
        q: z
          .string()
          .max(200)
          .optional()
          .describe(
            "An identifier or e-mail, or words of the name: each word the start of a word of the first name, last name or name on card, in any order, case and accents on Latin letters ignored",
          ),
        state: z.enum(["active", "inactive"]).optional(),
        organizationalUnit: z.string().max(64).optional(),
        expiresBefore: expiresBeforeQuery
          .optional()
          .describe("Only users holding a card in use (issued or active) that expires before this instant"),
      },
      item: userSchema,
      sorts: { fields: userSortFields, default: { by: "name", direction: "asc" } },
      search: (filter, page, _request, sort) => searchUsers(db, filter, page, sort),
    }),

    "GET /api/v1/users/:id": apiRoute({
      access: "operator",
      params,
      response: { 200: z.object({ user: userSchema, cards: z.array(cardSchema) }) },
      handler: async (request) => {
        const user = await findUserById(db, request.params.id);
        if (!user) throw new TesseraError("user.not_found");
        return { user, cards: (await findCardsOfUser(db, user.id)).map(toCardView) };
      },
    }),

    "GET /api/v1/users/:id/photo": apiRoute({
      access: "operator",
      summary: "The user's photo (JPEG or PNG)",
      params,
      handler: async (request, reply) => {
        const photo = await findUserPhoto(db, request.params.id);
        if (!photo) throw new TesseraError("user.not_found", "The user has no photo.");
        return reply.type(photo.type).header("cache-control", "private, max-age=300").send(photo.data);
      },
    }),
  });
}
