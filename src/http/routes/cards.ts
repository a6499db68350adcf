import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { cardStates } from "../../domain/card-states.js";
import { TesseraError } from "../../domain/errors.js";
import { expiryWindowsFrom } from "../../domain/expiring-cards.js";
import { isoInstantSchema } from "../../domain/iso-instant.js";
import { findProcess } from "../../domain/process-catalog.js";
import { cardExportRoles, hasAnyRole } from "../../domain/roles.js";
import { clampValidity } from "../../pki/index.js";
import { findTokenRefusal } from "../../processes/batch-downloads.js";
import { disclosePuk } from "../../processes/card-puk.js";
import { rotateCardPuk } from "../../processes/rotate-card-puk.js";
import { type CardView, cardSchema, toCardView } from "../../processes/schemas.js";
import { holderProblemsFor } from "../../processes/users/unfit-for-card.js";
import { cardFaceOfHolder, cardFaceSvg } from "../../production/card-face-svg.js";
import { findHistoryOf } from "../../store/audit-log.js";
import {
  type CardFilter,
  cardSortFields,
  countExpiringCards,
  findCardById,
  findNewestSuccessor,
  searchCards,
} from "../../store/cards.js";
import { findCertificatesOfCard } from "../../store/certificates.js";
import { transact } from "../../store/database.js";
import { findObjectNames } from "../../store/object-names.js";
import { findUserById, findUserPhoto } from "../../store/users.js";
import { actorOf } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { cardsCsv } from "./card-export.js";
import { cardDetailSchema } from "./card-schemas.js";
import { expiresBeforeQuery, expiringCardsSchema } from "./expiry-schemas.js";
import { idParamsSchema, searchRoute } from "./paging.js";

/** The filters of the card search, which the CSV export takes too. */
const cardFilters = {
  state: z.enum(cardStates).optional(),
  template: z.string().max(64).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .describe(
      "A card number (digits), or words of the holder's name: each word the start of a word of the first name, last name or name on card, in any order, case and accents on Latin letters ignored",
    ),
  userId: z.string().max(64).optional(),
  batchId: z
    .string()
    .max(64)
    .optional()
    .describe("Every card this batch took, whether it still holds it or has finished"),
  organizationalUnit: z.string().max(64).optional(),
  requestedFrom: isoInstantSchema.optional().describe("Only cards requested at or after this instant"),
  requestedTo: isoInstantSchema.optional().describe("Only cards requested before this instant"),
  expiresBefore: expiresBeforeQuery.optional(),
  unclaimed: z
    .enum(["true"])
    .optional()
    .describe(
      "true: only the cards no running batch holds, which a batch order takes (its Select all N matching counts these)",
    ),
};

/** The store's filter of a card search's query. */
function cardFilterOf({ unclaimed, ...filter }: z.output<z.ZodObject<typeof cardFilters>>): CardFilter {
  return { ...filter, unclaimed: unclaimed === "true" };
}

/** A card read with the number of the batch it names (the one holding it, else the last). */
function withBatchNumber(card: CardView, numbers: ReadonlyMap<string, number>): CardView {
  const batchId = card.batchId ?? card.lastBatchId;
  return { ...card, batchNumber: batchId ? (numbers.get(batchId) ?? null) : null };
}

export function cardRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return apiRoutes("cards", {
    "GET /api/v1/cards": searchRoute({
      access: "operator",
      summary: "Search cards, oldest request first; q is a card number or words of the holder's name",
      filters: cardFilters,
      item: cardSchema,
      sorts: { fields: cardSortFields, default: { by: "requestedAt", direction: "asc" } },
      search: async (filter, page, _request, sort) => {
        const found = await searchCards(db, cardFilterOf(filter), page, sort);
        const { batches: numbers } = await findObjectNames(db, {
          batches: found.items.flatMap((card) => card.batchId ?? card.lastBatchId ?? []),
        });
        return { ...found, items: found.items.map((card) => withBatchNumber(toCardView(card), numbers)) };
      },
    }),

    "GET /api/v1/cards/export.csv": apiRoute({
      access: cardExportRoles,
      summary:
        "The cards a search finds, as CSV for a mail merge (UTF-8, every field quoted); registration officer, issuing authority, helpdesk or administrator; each export is a history entry",
      description:
        "Takes the filters of GET /api/v1/cards and answers every card they match, oldest request first, streamed: card number, the holder's first and last name, name on the card, e-mail and unit, template, state and expiry. A field that starts like a spreadsheet formula (= + - @, tab, carriage return) is written with a leading ' so that no spreadsheet runs it.",
      querystring: z.object(cardFilters),
      handler: async (request, reply) => {
        // Personal data leaving in bulk: who took which search, in the history.
        const at = app.services.clock().toISOString();
        await transact(app.services.store, (trx) =>
          app.services.audit.append(
            trx,
            [
              {
                action: "cards.export",
                outcome: "success",
                operator: actorOf(request),
                details: { filter: request.query },
              },
            ],
            at,
          ),
        );
        const day = at.slice(0, 10);
        return reply
          .type("text/csv; charset=utf-8")
          .header("cache-control", "no-store")
          .header("content-disposition", `attachment; filename="cards-${day}.csv"`)
          .send(Readable.from(cardsCsv(db, cardFilterOf(request.query))));
      },
    }),

    "GET /api/v1/cards/expiring": apiRoute({
      access: "operator",
      summary: "How many cards in use expire within 30, 60 and 90 days, per template (the dashboard)",
      response: { 200: expiringCardsSchema },
      handler: async () => {
        const now = app.services.clock();
        const windows = expiryWindowsFrom(now);
        const counts = await countExpiringCards(
          db,
          windows.map((w) => new Date(w.expiresBefore).toISOString()),
        );
        return {
          at: now.toISOString(),
          windows,
          templates: counts.map(({ template, counts }) => ({
            template,
            expiring: windows.map((w, i) => ({ days: w.days, count: counts[i] ?? 0 })),
          })),
        };
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
        const [history, holder, successor, predecessor] = await Promise.all([
          findHistoryOf(db, "card", card.id),
          findUserById(db, card.userId),
          findNewestSuccessor(db, card.id),
          card.predecessorId ? findCardById(db, card.predecessorId) : undefined,
        ]);
        // The card's batch and every batch its history names, by number.
        const { batches: numbers } = await findObjectNames(db, {
          batches: [
            card.batchId ?? card.lastBatchId ?? "",
            ...history.flatMap((entry) =>
              typeof entry.details.batchId === "string" ? [entry.details.batchId] : [],
            ),
          ],
        });
        const view = withBatchNumber(toCardView(card), numbers);
        // A card that failed on its holder's data would fail again: Repeat production waits for the user's correction.
        const holderUnfitForCard = holder
          ? holderProblemsFor(holder, app.services.templates.get(card.template))
          : [];
        if (holderUnfitForCard.length > 0)
          view.allowedProcesses = view.allowedProcesses.filter((p) => p !== "CardsProcRepeatProduction");
        return {
          ...view,
          successorId: successor?.id ?? null,
          successorNumber: successor?.cardNumber ?? null,
          predecessorNumber: predecessor?.cardNumber ?? null,
          holderUnfitForCard,
          certificates: (await findCertificatesOfCard(db, card.id)).map((c) => ({
            serial: c.serial,
            profile: c.profile,
            state: c.state,
            notBefore: c.notBefore,
            notAfter: c.notAfter,
          })),
          history,
          batchNumbers: Object.fromEntries(numbers),
          mayDownloadToken:
            hasAnyRole(actorOf(request).roles, app.config.downloads.tokens) &&
            (await findTokenRefusal(db, card, app.config.downloads.tokenLimit, actorOf(request))) ===
              undefined,
        };
      },
    }),

    "GET /api/v1/cards/:id/face.svg": apiRoute({
      access: "operator",
      summary:
        "The card's printed face as SVG, drawn by the print file's own writer from the holder's data today (a card not yet produced: valid until the template's validity from today)",
      description:
        "The face is written into a one-page print file (PDF) exactly as a batch writes it, then read back into SVG: fields, order, name on card, fitting and the template's texts are the printer's. Text stays text. A holder whose data the print file refuses answers 409 card.face_unprintable with the reason.",
      params: idParamsSchema,
      handler: async (request, reply) => {
        const card = await findCardById(db, request.params.id);
        if (!card) throw new TesseraError("card.not_found");
        const template = app.services.templates.get(card.template);
        const holder = await findUserById(db, card.userId);
        if (!template || !holder)
          throw new TesseraError("card.not_found", "The card's template or holder is gone.");
        const now = app.services.clock();
        const expiry = card.expiresAt
          ? new Date(card.expiresAt)
          : clampValidity(
              app.services.ca.identity,
              now,
              new Date(now.getTime() + template.validityDays * 86_400_000),
            ).notAfter;
        const photo = holder.hasPhoto ? (await findUserPhoto(db, holder.id))?.data : undefined;
        const face = cardFaceOfHolder(
          holder,
          { cardNumber: card.cardNumber, expiry, layout: template.layout },
          photo,
        );
        let svg: string;
        try {
          svg = await cardFaceSvg(face, template.layout);
        } catch (error) {
          if (error instanceof TesseraError && error.code.startsWith("production."))
            throw new TesseraError(
              "card.face_unprintable",
              `The card's face cannot be printed: ${error.message}`,
              {
                reason: error.code,
              },
            );
          throw error;
        }
        return reply
          .type("image/svg+xml; charset=utf-8")
          .header("cache-control", "private, no-cache")
          .send(svg);
      },
    }),

    "POST /api/v1/cards/:id/puk": apiRoute({
      // Whoever may unblock a PIN, and no one else: the catalog's roles for Unblock PIN (helpdesk).
      access: findProcess("CardsProcUnblockPin").roles,
      // A card's secret: refused to a page of another site, and to a sibling subdomain's page.
      config: { download: true },
      summary:
        "The PUK of one active chip card, for a helpdesk desk that unblocks its PIN with its own reader (tessera card unblock); every disclosure is in the card's history",
      description:
        "A disclosed PUK is used once. With it comes `nextPuk`, stored as the card's pending PUK in the same transaction: after the unblock the desk logs in as SO with the PUK the chip took and sets `nextPuk` as the SO PIN (C_SetPIN), then confirms with POST /api/v1/cards/{id}/puk/rotated, which makes it the card's PUK. While a rotation is pending (an earlier desk stopped before confirming), no other next PUK is made: `puk` is still the card's stored PUK, `pukCandidates` is `[puk, nextPuk]` (the chip has one of them: try them in that order), and `nextPuk` is the pending PUK again (given to that earlier desk too: tessera card unblock confirms it, then asks once more for a next PUK of its own).",
      params: idParamsSchema,
      response: {
        200: z.object({
          cardNumber: z.string(),
          tokenSerial: z.string().describe("The serial of the card's token: the card on the chip"),
          puk: z.string().describe("The card's PUK (its security-officer PIN) as stored"),
          nextPuk: z
            .string()
            .describe(
              "The card's pending next PUK: to be set as the chip's SO PIN after the unblock, then confirmed with POST /api/v1/cards/{id}/puk/rotated",
            ),
          pukCandidates: z
            .array(z.string())
            .describe(
              "The PUKs the chip's SO PIN may be, in the order to try them: [puk], or [puk, nextPuk] while an earlier rotation to nextPuk is not confirmed",
            ),
          pukPrinted: z
            .boolean()
            .describe(
              "Whether the PIN letter of the batch that made the card printed its PUK: after the rotation that printed PUK no longer works",
            ),
        }),
      },
      handler: async (request, reply) => {
        const disclosed = await disclosePuk(app.services, actorOf(request), request.params.id);
        reply.header("cache-control", "no-store");
        return {
          cardNumber: disclosed.card.cardNumber,
          tokenSerial: disclosed.card.tokenSerial!,
          puk: disclosed.puk,
          nextPuk: disclosed.nextPuk,
          pukCandidates: [...disclosed.pukCandidates],
          pukPrinted: disclosed.pukPrinted,
        };
      },
    }),

    "POST /api/v1/cards/:id/puk/rotated": apiRoute({
      // The disclosure's roles: the desk that was given the PUK confirms its rotation.
      access: findProcess("CardsProcUnblockPin").roles,
      summary:
        "Confirms that the chip's SO PIN is now the nextPuk the PUK's disclosure answered: it becomes the card's PUK (card.rotatePuk in the history); a repeat changes nothing",
      description:
        "Answers 409 card.no_pending_puk when no rotation waits (no desk was given the card's PUK since it was last rotated or settled), and changes nothing then.",
      params: idParamsSchema,
      body: z.strictObject({}).nullish().describe("Empty, or {}"),
      response: {
        200: z.object({
          cardNumber: z.string(),
          tokenSerial: z.string().nullable().describe("The serial of the card's token"),
        }),
      },
      handler: async (request) => {
        const card = await rotateCardPuk(app.services, actorOf(request), request.params.id);
        return { cardNumber: card.cardNumber, tokenSerial: card.tokenSerial };
      },
    }),
  });
}
