import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../../app.js";
import { TesseraError } from "../../domain/errors.js";
import { cancelBatchOrder, purgeBatchPinLetters } from "../../processes/batch-control.js";
import {
  type Batch,
  findBatch,
  findBatchItems,
  findCardToken,
  listBatchParts,
  type PartKind,
  readBatchPart,
  searchBatches,
} from "../../store/batches.js";
import { findCardById } from "../../store/cards.js";
import { actorOf } from "../access.js";
import { zipStream } from "../zip.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

export const batchSchema = z.object({
  id: z.string(),
  process: z.string(),
  state: z.enum(["running", "completed", "cancelled"]),
  options: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdByName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  total: z.int(),
  done: z.int(),
  failed: z.int(),
  /** Cards given back untouched (approved) when the batch was cancelled. */
  released: z.int(),
  left: z.int(),
  pinLettersPurgedAt: z.string().nullable(),
});

const itemSchema = z.object({
  seq: z.int(),
  cardId: z.string(),
  cardNumber: z.string(),
  holderName: z.string(),
  state: z.enum(["pending", "done", "failed", "released"]),
  code: z.string().nullable(),
  reason: z.string().nullable(),
});

const partsSchema = z.array(z.object({ part: z.int(), pages: z.int(), bytes: z.int() }));

const readers = {
  access: ["productionAdministrator", "issuingAuthority", "auditor", "administrator"] as const,
};
const production = { access: ["productionAdministrator"] as const };
const params = z.object({ id: z.string().max(64) });

export function batchRoutes(app: App): FastifyPluginAsyncZod {
  const { db } = app.services.store;

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

  return async (server) => {
    server.get(
      "/api/v1/batches",
      {
        config: readers,
        schema: {
          tags: ["batches"],
          summary: "Batch orders, newest first",
          querystring: pageQuerySchema.extend({
            state: z.enum(["running", "completed", "cancelled"]).optional(),
            process: z.string().max(64).optional(),
          }),
          response: { 200: pageSchema(batchSchema) },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return searchBatches(db, filter, { cursor, limit });
      },
    );

    server.get(
      "/api/v1/batches/:id",
      {
        config: readers,
        schema: {
          tags: ["batches"],
          summary: "A batch with its progress, its per-card results (paged) and its files",
          params,
          querystring: pageQuerySchema.extend({
            itemState: z.enum(["pending", "done", "failed", "released"]).optional(),
          }),
          response: {
            200: batchSchema.extend({
              items: z.array(itemSchema),
              nextCursor: z.string().nullable(),
              printFile: partsSchema,
              pinLetters: partsSchema,
            }),
          },
        },
      },
      async (request) => {
        const batch = await loadBatch(request.params.id);
        const { cursor, limit, itemState } = request.query;
        const items = await findBatchItems(db, batch.id, { state: itemState }, { cursor, limit });
        return {
          ...batch,
          items: items.items as z.infer<typeof itemSchema>[],
          nextCursor: items.nextCursor,
          printFile: await parts(batch, "print"),
          pinLetters: await parts(batch, "pinLetters"),
        };
      },
    );

    server.post(
      "/api/v1/batches/:id/cancel",
      {
        config: { access: ["productionAdministrator", "issuingAuthority"] },
        schema: {
          tags: ["batches"],
          summary: "Cancel a running batch: cards not started stay approved, their claims released",
          params,
          response: { 200: batchSchema },
        },
      },
      async (request) => cancelBatchOrder(app.services, actorOf(request), request.params.id),
    );

    // The print file and the PIN letters: one PDF when the batch made one part (or ?part=N),
    // else a ZIP of the parts in order (a part is one chunk of the batch).
    const download =
      (kind: PartKind, name: string) =>
      async (
        request: { params: { id: string }; query: { part?: number | undefined } },
        reply: import("fastify").FastifyReply,
      ) => {
        const batch = await loadBatch(request.params.id);
        if (kind === "pinLetters" && batch.pinLettersPurgedAt)
          throw new TesseraError("batch.pin_letters_purged");
        const available = await parts(batch, kind);
        const wanted =
          request.query.part === undefined
            ? available
            : available.filter((p) => p.part === request.query.part);
        if (wanted.length === 0)
          throw new TesseraError(
            "batch.no_output",
            request.query.part === undefined
              ? `The batch has no ${name} (yet).`
              : `The batch has no part ${request.query.part}.`,
          );
        reply.header("cache-control", "no-store");
        if (wanted.length === 1) {
          const data = await readBatchPart(db, batch.id, kind, wanted[0]!.part);
          return reply
            .type("application/pdf")
            .header("content-disposition", `attachment; filename="${name}-${batch.id.slice(0, 8)}.pdf"`)
            .send(data);
        }
        const files = wanted.map((p) => ({
          name: `${name}-${batch.id.slice(0, 8)}-part-${String(p.part).padStart(4, "0")}.pdf`,
          read: async () => (await readBatchPart(db, batch.id, kind, p.part))!,
        }));
        return reply
          .type("application/zip")
          .header("content-disposition", `attachment; filename="${name}-${batch.id.slice(0, 8)}.zip"`)
          .send(Readable.from(zipStream(files)));
      };
    const partQuery = z.object({ part: z.coerce.number().int().min(1).optional() });

    server.get(
      "/api/v1/batches/:id/print-file",
      {
        config: production,
        schema: {
          tags: ["batches"],
          summary: "The card faces (ID-1 PDF; a ZIP of PDFs for a batch of several parts)",
          params,
          querystring: partQuery,
        },
      },
      download("print", "print-file") as never,
    );
    server.get(
      "/api/v1/batches/:id/pin-letters",
      {
        config: production,
        schema: {
          tags: ["batches"],
          summary: "The PIN letters (A4 PDF; a ZIP of PDFs for a batch of several parts)",
          params,
          querystring: partQuery,
        },
      },
      download("pinLetters", "pin-letters") as never,
    );
    server.delete(
      "/api/v1/batches/:id/pin-letters",
      {
        config: production,
        schema: {
          tags: ["batches"],
          summary: "Purge the PIN letters once printed; they never come back",
          params,
          response: { 200: batchSchema },
        },
      },
      async (request) => purgeBatchPinLetters(app.services, actorOf(request), request.params.id),
    );

    server.get(
      "/api/v1/cards/:id/token",
      {
        config: production,
        schema: {
          tags: ["cards"],
          summary: "The software token of a card (PKCS#12, opened with the card's PIN)",
          params,
        },
      },
      async (request, reply) => {
        const card = await findCardById(db, request.params.id);
        if (!card) throw new TesseraError("card.not_found");
        const token = await findCardToken(db, card.id);
        if (!token) throw new TesseraError("card.no_token");
        return reply
          .type("application/x-pkcs12")
          .header("cache-control", "no-store")
          .header("content-disposition", `attachment; filename="${card.cardNumber}.p12"`)
          .send(token);
      },
    );
  };
}
