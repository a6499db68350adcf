import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { cardStates } from "../../domain/card-states.js";
import { TesseraError } from "../../domain/errors.js";
import { hasAnyRole } from "../../domain/roles.js";
import { findTokenRefusal } from "../../processes/batch-downloads.js";
import { cardSchema, toCardView } from "../../processes/schemas.js";
import { findHistoryOf } from "../../store/audit-log.js";
import { findCardById, searchCards } from "../../store/cards.js";
import { findCertificatesOfCard } from "../../store/certificates.js";
import { actorOf } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { cardDetailSchema } from "./card-schemas.js";
import { idParamsSchema, searchRoute } from "./paging.js";

const isoDate = z.iso.date().or(z.iso.datetime());

export function cardRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return apiRoutes("cards", {
    "GET /api/v1/cards": searchRoute({
      access: "operator",
      summary: "Search cards, oldest request first; q is a card number or the start of the holder's name",
      filters: {
        state: z.enum(cardStates).optional(),
        template: z.string().max(64).optional(),
        q: z.string().max(200).optional(),
        userId: z.string().max(64).optional(),
        batchId: z
          .string()
          .max(64)
          .optional()
          .describe("Every card this batch took, whether it still holds it or has finished"),
        organizationalUnit: z.string().max(64).optional(),
        requestedFrom: isoDate.optional(),
        requestedTo: isoDate.optional(),
      },
      item: cardSchema,
      search: async (filter, page) => {
        const found = await searchCards(db, filter, page);
        return { ...found, items: found.items.map(toCardView) };
      },
    }),

    "GET /api/v1/cards/:id": apiRoute({
      access: "operator",
      summary: "A card with its certificates, history and the processes its state allows now",
      params: idParamsSchema,
      response: {
        200: cardDetailSchema,
      },
      handler: async (request) => {
        const card = await findCardById(db, request.params.id);
        if (!card) throw new TesseraError("card.not_found");
        return {
          ...toCardView(card),
          certificates: (await findCertificatesOfCard(db, card.id)).map((c) => ({
            serial: c.serial,
            profile: c.profile,
            state: c.state,
            notBefore: c.notBefore,
            notAfter: c.notAfter,
          })),
          history: await findHistoryOf(db, "card", card.id),
          mayDownloadToken:
            hasAnyRole(actorOf(request).roles, app.config.downloads.tokens) &&
            (await findTokenRefusal(db, card, app.config.downloads.tokenLimit, actorOf(request))) ===
              undefined,
        };
      },
    }),
  });
}
