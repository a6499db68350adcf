import { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Batch } from "../../domain/batch.js";
import { TesseraError } from "../../domain/errors.js";
import { sliceThroughput } from "../../domain/pictures.js";
import { hasAnyRole } from "../../domain/roles.js";
import { cancelBatchOrder, purgeBatchPinLetters } from "../../processes/batch-control.js";
import {
  downloadBatchFile,
  downloadCardToken,
  findPinLetterSplitRefusal,
} from "../../processes/batch-downloads.js";
import { countFinishedItemsByInstant, findBatchItems } from "../../store/batch-items.js";
import { listBatchParts, type PartKind, readBatchPart } from "../../store/batch-parts.js";
import { findBatch, searchBatches } from "../../store/batches.js";
import { type Access, actorOf } from "../access.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { zipStream } from "../zip.js";
import { batchDetailSchema, type batchItemSchema, batchSchema } from "./batch-schemas.js";
import { idParamsSchema, pageQuerySchema, searchRoute } from "./paging.js";
import { batchThroughputSchema } from "./picture-schemas.js";

const readers = [
  "productionAdministrator",
  "issuingAuthority",
  "auditor",
  "administrator",
  "pinMailer",
] as const;
const params = idParamsSchema;
const partQuery = z.object({ part: z.coerce.number().int().min(1).optional() });

export function batchRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  // Who may fetch what is a deployment setting (config.downloads); no role holds both the PIN
  // letters and the tokens (refused at start).
  const { downloads } = app.config;
  const withAllowed = (batch: Batch, request: FastifyRequest) => {
    const held = actorOf(request).roles;
    return {
      ...batch,
      mayDownload: {
        printFile: hasAnyRole(held, downloads.printFile),
        pinLetters: hasAnyRole(held, downloads.pinLetters),
      },
    };
  };

  async function loadBatch(id: string): Promise<Batch> {
    const batch = await findBatch(db, id);
    if (!batch) throw new TesseraError("batch.not_found", `There is no batch with id ${id}.`);
    return batch;
  }

  const parts = async (batch: Batch, kind: PartKind) =>
    (await listBatchParts(db, batch.id, kind)).map((p) => ({
      part: p.chunk,
      pages: p.pages,
      bytes: p.bytes,
    }));

  // The print file and the PIN letters: one PDF when the batch made one part (or ?part=N),
  // else a ZIP of the parts in order (a part is one chunk of the batch). Each download is
  // recorded in the object history before a byte is sent.
  const partsDownload = (kind: PartKind, name: string, access: Access, summary: string) =>
    apiRoute({
      access,
      config: { download: true },
      summary,
      params,
      querystring: partQuery,
      handler: async (request, reply) => {
        const file = await downloadBatchFile(
          app.services,
          actorOf(request),
          request.params.id,
          kind,
          request.query.part,
        );
        const batchId = file.batch.id;
        reply.header("cache-control", "no-store");
        if (file.kind === "single")
          return reply
            .type("application/pdf")
            .header("content-disposition", `attachment; filename="${name}-${batchId.slice(-8)}.pdf"`)
            .send(file.data);
        const files = file.parts.map((part) => ({
          name: `${name}-${batchId.slice(-8)}-part-${String(part).padStart(4, "0")}.pdf`,
          read: async () => {
            const data = await readBatchPart(db, batchId, kind, part);
            // Purged while the ZIP was being sent: stop rather than send a hole.
            if (!data) throw new TesseraError("batch.pin_letters_purged");
            return data;
          },
        }));
        return reply
          .type("application/zip")
          .header("content-disposition", `attachment; filename="${name}-${batchId.slice(-8)}.zip"`)
          .send(Readable.from(zipStream(files)));
      },
    });

  return apiRoutes("batches", {
    "GET /api/v1/batches": searchRoute({
      access: readers,
      summary: "Batch orders, newest first",
      filters: {
        state: z.enum(["running", "completed", "cancelled"]).optional(),
        process: z.string().max(64).optional(),
        pinLetters: z
          .enum(["kept", "purged"])
          .optional()
          .describe(
            "Batches of Issue multiple cards whose PIN letters are still kept (to be sent and purged) or were purged",
          ),
      },
      item: batchSchema,
      sorts: { fields: ["createdAt"], default: { by: "createdAt", direction: "desc" } },
      search: async (filter, page, request, sort) => {
        const found = await searchBatches(db, filter, page, sort.direction);
        return { ...found, items: found.items.map((batch) => withAllowed(batch, request)) };
      },
    }),

    "GET /api/v1/batches/:id": apiRoute({
      access: readers,
      summary: "A batch with its progress, its per-card results (paged) and its files",
      params,
      querystring: pageQuerySchema.extend({
        itemState: z.enum(["pending", "done", "failed", "released"]).optional(),
      }),
      response: {
        200: batchDetailSchema,
      },
      handler: async (request) => {
        const batch = await loadBatch(request.params.id);
        const { cursor, limit, itemState } = request.query;
        const items = await findBatchItems(db, batch.id, { state: itemState }, { cursor, limit });
        const allowed = withAllowed(batch, request);
        // The batch's own read also knows this operator's half: who fetched its tokens may not
        // fetch its PIN letters, so the page does not offer them.
        if (
          allowed.mayDownload.pinLetters &&
          (await findPinLetterSplitRefusal(db, actorOf(request), batch.id))
        )
          allowed.mayDownload.pinLetters = false;
        const [printFile, pinLetters] = await Promise.all([
          parts(batch, "print"),
          parts(batch, "pinLetters"),
        ]);
        return {
          ...allowed,
          items: items.items as z.infer<typeof batchItemSchema>[],
          nextCursor: items.nextCursor,
          printFile,
          pinLetters,
        };
      },
    }),

    // Its own read, not a part of the batch's: the batch page follows the batch every second,
    // and this counts every finished card of the batch.
    "GET /api/v1/batches/:id/throughput": apiRoute({
      access: readers,
      summary:
        "A batch's throughput: the cards recorded done and failed per time slice since it started (its picture)",
      params,
      response: { 200: batchThroughputSchema },
      handler: async (request) => {
        const batch = await loadBatch(request.params.id);
        const to = batch.finishedAt ?? app.services.clock().toISOString();
        const finished = await countFinishedItemsByInstant(db, batch.id);
        return { from: batch.createdAt, to, ...sliceThroughput(batch.createdAt, to, finished) };
      },
    }),

    "POST /api/v1/batches/:id/cancel": apiRoute({
      access: ["productionAdministrator", "issuingAuthority"],
      summary:
        "Cancel a running batch: cards not started stay approved, their claims released (`released`); cards already in production finish (`inProduction`, `finishing` until `finishedAt`), except chip cards still waiting for a blank card, which are released too when their chunk ends",
      params,
      response: { 200: batchSchema },
      handler: async (request) =>
        withAllowed(await cancelBatchOrder(app.services, actorOf(request), request.params.id), request),
    }),

    "GET /api/v1/batches/:id/print-file": partsDownload(
      "print",
      "print-file",
      downloads.printFile,
      "The card faces (ID-1 PDF; a ZIP of PDFs for a batch of several parts)",
    ),
    "GET /api/v1/batches/:id/pin-letters": partsDownload(
      "pinLetters",
      "pin-letters",
      downloads.pinLetters,
      "The PIN letters (A4 PDF; a ZIP of PDFs for a batch of several parts)",
    ),
    "DELETE /api/v1/batches/:id/pin-letters": apiRoute({
      access: downloads.pinLetters,
      summary: "Purge the PIN letters once printed; they never come back",
      params,
      response: { 200: batchSchema },
      handler: async (request) => {
        const { batch, erased } = await purgeBatchPinLetters(
          app.services,
          actorOf(request),
          request.params.id,
          downloads.pinLetters,
        );
        if (!erased)
          app.log.warn(
            { batchId: batch.id },
            "the WAL could not be fully checkpointed after a PIN-letter purge; the next checkpoint erases the purged bytes",
          );
        return withAllowed(batch, request);
      },
    }),

    "GET /api/v1/cards/:id/token": apiRoute({
      access: downloads.tokens,
      config: { download: true },
      tags: ["cards"],
      summary:
        "The software token of a card (PKCS#12, opened with the card's PIN): only while the card is as its batch made it (issued, never after activation) and that batch's PIN letters exist, a bounded number of times; every download is in the object history",
      params,
      handler: async (request, reply) => {
        const { card, token } = await downloadCardToken(
          app.services,
          actorOf(request),
          request.params.id,
          downloads.tokenLimit,
        );
        return reply
          .type("application/x-pkcs12")
          .header("cache-control", "no-store")
          .header("content-disposition", `attachment; filename="${card.cardNumber}.p12"`)
          .send(token);
      },
    }),
  });
}
