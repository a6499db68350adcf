import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { isClientError } from "../domain/errors.js";
import type { IssueOptions } from "../domain/issue-options.js";
import { findProcess } from "../domain/process-catalog.js";
import type { ChunkCard, ChunkJob, ChunkResult, ChunkTemplate } from "../production/chunk-job.js";
import { activateCard } from "../services/activate-card.js";
import type { Actor, Services } from "../services/services.js";
import {
  type Batch,
  claimNextChunk,
  findBatch,
  findPendingItemsOfChunk,
  finishChunk,
  finishItems,
  releaseChunk,
  releaseRunningChunks,
  renewChunkLease,
} from "../store/batches.js";
import { countCardsOfUsers, findCardById } from "../store/cards.js";
import { lockHeldChunk, recordIssuedChunk } from "./record-chunk.js";

/** What the runner needs of the production workers (see production/worker-pool.ts). */
export interface ChunkProducer {
  readonly size: number;
  run(job: ChunkJob): Promise<ChunkResult>;
  close(): Promise<void>;
}

export interface BatchRunner {
  start(): void;
  /** New work: look for chunks now rather than at the next poll. */
  wake(): void;
  /** Resolves when no chunk is being produced and none is waiting (for tests and the CLI). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const activateMultiple = findProcess("CardsBoProcActivateMultiple")!;

/**
 * Produces batch orders in the background, chunk by chunk: claims a chunk (several Tessera
 * processes on one PostgreSQL share a batch this way), has a worker thread make its cards,
 * and records the result in one transaction. A chunk is all or nothing; after a crash its
 * lease runs out (or, on SQLite, the restart frees it) and it is produced again.
 */
export function createBatchRunner(params: {
  services: Services;
  producer: () => ChunkProducer;
  log: Logger;
  workDir: string;
  organizationName: string;
  instanceId?: string;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
}): BatchRunner {
  const { services, log } = params;
  const { store } = services;
  const instanceId = params.instanceId ?? randomUUID();
  const leaseMs = params.leaseMs ?? 30_000;
  const maxAttempts = params.maxAttempts ?? 3;
  let producer: ChunkProducer | undefined;
  let running = 0;
  let stopped = true;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const idleWaiters: (() => void)[] = [];

  const getProducer = (): ChunkProducer => {
    producer ??= params.producer();
    return producer;
  };
  const concurrency = () => getProducer().size;
  const leaseUntil = () => new Date(services.clock().getTime() + leaseMs).toISOString();
  const now = () => services.clock().toISOString();

  function settleIdle() {
    if (running === 0 && !pumping) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function pump(): Promise<void> {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopped && running < concurrency()) {
          const claim = await store.db
            .transaction()
            .execute((trx) =>
              claimNextChunk(trx, store.dialect, { instanceId, now: now(), leaseUntil: leaseUntil() }),
            );
          if (!claim) break;
          running++;
          log.debug({ batchId: claim.batchId, chunk: claim.chunk, running }, "chunk claimed");
          void produce(claim).finally(() => {
            running--;
            void pump();
          });
        }
      } while (again && !stopped);
    } catch (error) {
      log.error({ err: error }, "claiming batch work failed");
    } finally {
      pumping = false;
      if (running === 0) settleIdle();
    }
  }

  async function produce(claim: {
    batchId: string;
    chunk: number;
    process: string;
    attempts: number;
  }): Promise<void> {
    const held = { ...claim, instanceId };
    const renew = setInterval(() => {
      renewChunkLease(store.db, { ...held, leaseUntil: leaseUntil() }).catch((error: unknown) =>
        log.error({ err: error }, "renewing a chunk lease failed"),
      );
    }, leaseMs / 3);
    try {
      const batch = await findBatch(store.db, claim.batchId);
      if (!batch) return;
      const actor: Actor = { id: batch.createdBy, username: batch.createdByName, roles: [] };
      if (claim.process === activateMultiple.symbolicName) await activateChunk(batch, claim.chunk, actor);
      else await issueChunk(batch, claim.chunk, actor);
    } catch (error) {
      log.error(
        { err: error, batchId: claim.batchId, chunk: claim.chunk, attempt: claim.attempts },
        "producing a chunk failed",
      );
      // Not the cards' fault (a card's own failure is a result, not an error): try again, but
      // not for ever — after the last attempt its cards fail with the reason.
      try {
        if (claim.attempts < maxAttempts) await releaseChunk(store.db, held, now());
        else await failChunk(claim, error);
      } catch (inner) {
        log.error(
          { err: inner, batchId: claim.batchId, chunk: claim.chunk },
          "giving up a chunk failed; its lease will run out",
        );
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** After `maxAttempts` failed attempts the chunk's cards fail (issue: `failed`, repeat production brings them back). */
  async function failChunk(
    claim: { batchId: string; chunk: number; process: string },
    error: unknown,
  ): Promise<void> {
    const reason = `Production failed ${maxAttempts} times: ${error instanceof Error ? error.message : String(error)}`;
    await store.db.transaction().execute(async (trx) => {
      if (!(await lockHeldChunk(trx, store.dialect, { ...claim, instanceId }))) return;
      const at = now();
      const items = await findPendingItemsOfChunk(trx, claim.batchId, claim.chunk);
      const cardIds = items.map((i) => i.card_id);
      if (claim.process !== activateMultiple.symbolicName && cardIds.length > 0)
        await trx
          .updateTable("cards")
          .set((eb) => ({
            state: "failed",
            reason,
            batch_id: null,
            version: eb("version", "+", 1),
            updated_at: at,
          }))
          .where("id", "in", cardIds)
          .where("batch_id", "=", claim.batchId)
          .where("state", "=", "approved")
          .execute();
      else if (cardIds.length > 0)
        await trx
          .updateTable("cards")
          .set({ batch_id: null })
          .where("id", "in", cardIds)
          .where("batch_id", "=", claim.batchId)
          .execute();
      await finishItems(
        trx,
        claim.batchId,
        cardIds.map((cardId) => ({
          cardId,
          state: "failed" as const,
          code: "batch.production_failed",
          reason,
        })),
        at,
      );
      await services.audit.append(
        trx,
        [
          {
            action: "batch.chunkFailed",
            objectType: "batch",
            objectId: claim.batchId,
            outcome: "failed",
            details: { chunk: claim.chunk, reason, cards: cardIds.length },
          },
        ],
        at,
      );
      await finishChunk(
        trx,
        { batchId: claim.batchId, chunk: claim.chunk, done: 0, failed: cardIds.length },
        at,
      );
    });
  }

  async function loadChunkCards(batchId: string, chunk: number): Promise<ChunkCard[]> {
    const items = await findPendingItemsOfChunk(store.db, batchId, chunk);
    if (items.length === 0) return [];
    const rows = await store.db
      .selectFrom("cards as c")
      .innerJoin("users as u", "u.id", "c.user_id")
      .select([
        "c.id",
        "c.card_number",
        "c.template",
        "u.first_name",
        "u.last_name",
        "u.email",
        "u.identifier",
        "u.organization",
        "u.organizational_unit",
        "u.title",
        "u.upn",
        "u.address",
        "u.photo",
      ])
      .where(
        "c.id",
        "in",
        items.map((i) => i.card_id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.flatMap((item) => {
      const r = byId.get(item.card_id);
      if (!r) return [];
      return [
        {
          cardId: r.id,
          cardNumber: r.card_number,
          template: r.template,
          holder: {
            firstName: r.first_name,
            lastName: r.last_name,
            email: r.email,
            identifier: r.identifier,
            organization: r.organization,
            organizationalUnit: r.organizational_unit,
            title: r.title,
            upn: r.upn,
            addressLines: r.address ? (JSON.parse(r.address) as string[]) : [],
          },
          photo: r.photo ? new Uint8Array(r.photo) : null,
        },
      ];
    });
  }

  async function issueChunk(batch: Batch, chunk: number, actor: Actor): Promise<void> {
    // A guard behind the batch order's own refusal (a batch ordered before a restart without
    // TESSERA_PUBLIC_URL): sign nothing; after the last attempt the cards fail with the reason.
    if (services.issuingRefusal) throw new Error(services.issuingRefusal);
    const options = batch.options as unknown as IssueOptions;
    let cards = await loadChunkCards(batch.id, chunk);
    const refused: ChunkResult["cards"] = [];
    // Cards that would end active are refused up front when their holder has an active card
    // and several are not allowed: nothing is made for them.
    if (options.cardEndState === "active" && !(await services.getOptions()).severalActiveCards) {
      const userIds = await store.db
        .selectFrom("cards")
        .select(["id", "user_id"])
        .where(
          "id",
          "in",
          cards.map((c) => c.cardId),
        )
        .execute();
      const active = await countCardsOfUsers(
        store.db,
        userIds.map((u) => u.user_id),
        ["active"],
      );
      const holderOf = new Map(userIds.map((u) => [u.id, u.user_id]));
      cards = cards.filter((card) => {
        if ((active.get(holderOf.get(card.cardId)!) ?? 0) === 0) return true;
        refused.push({
          cardId: card.cardId,
          ok: false,
          code: "card.too_many_active",
          reason: "The holder already has an active card, and several active cards per user are not allowed.",
          certificates: [],
          ms: 0,
        });
        return false;
      });
    }
    const templates: Record<string, ChunkTemplate> = {};
    for (const card of cards) {
      const template = services.templates.get(card.template);
      if (!template) throw new Error(`card template ${card.template} is not configured`);
      templates[template.name] = {
        name: template.name,
        profiles: template.profiles.filter(
          (p) => !options.certificates || options.certificates.includes(p.name),
        ),
        validityDays: template.validityDays,
        layout: template.layout,
      };
    }
    const dir = path.join(params.workDir, batch.id);
    // The work files hold PINs until they are recorded: owner only.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const job: ChunkJob = {
      batchId: batch.id,
      chunk,
      templates,
      cards,
      pinLength: options.pinLength,
      pukLength: options.pukLength,
      certificateEndState: options.certificateEndState,
      pukPrinted: options.pukPrinted,
      organizationName: params.organizationName,
      notBefore: now(),
      printFilePath: path.join(dir, `print-${chunk}.pdf`),
      pinLettersPath: path.join(dir, `pin-letters-${chunk}.pdf`),
    };
    const result: ChunkResult =
      cards.length > 0 ? await getProducer().run(job) : { batchId: batch.id, chunk, cards: [], pages: 0 };
    result.cards.push(...refused);
    try {
      const parts =
        result.pages > 0
          ? { print: readFileSync(job.printFilePath), pinLetters: readFileSync(job.pinLettersPath) }
          : { print: undefined, pinLetters: undefined };
      const at = now();
      log.debug({ batchId: batch.id, chunk, cards: result.cards.length }, "chunk produced; recording");
      const recorded = await store.db.transaction().execute(async (trx) => {
        if (!(await lockHeldChunk(trx, store.dialect, { batchId: batch.id, chunk, instanceId })))
          return undefined;
        return recordIssuedChunk(services, trx, batch, actor, result, parts, at);
      });
      if (!recorded)
        log.warn({ batchId: batch.id, chunk }, "chunk taken over by another producer; its work is discarded");
      else if (recorded.state !== "running")
        log.info({ batchId: batch.id, state: recorded.state }, "batch finished");
    } finally {
      // The PIN letters now live only in the batch's PIN-letter file (in the database).
      rmSync(job.printFilePath, { force: true });
      rmSync(job.pinLettersPath, { force: true });
    }
  }

  async function activateChunk(batch: Batch, chunk: number, actor: Actor): Promise<void> {
    const items = await findPendingItemsOfChunk(store.db, batch.id, chunk);
    await store.db.transaction().execute(async (trx) => {
      if (!(await lockHeldChunk(trx, store.dialect, { batchId: batch.id, chunk, instanceId }))) return;
      const at = now();
      const outcomes: { cardId: string; state: "done" | "failed"; code?: string; reason?: string }[] = [];
      for (const item of items) {
        const card = await findCardById(trx, item.card_id);
        if (card?.state !== "issued") {
          outcomes.push({
            cardId: item.card_id,
            state: "failed",
            code: "card.state_not_allowed",
            reason: `The card is ${card?.state ?? "gone"}, not issued.`,
          });
          continue;
        }
        try {
          const activated = await activateCard(services, trx, actor, activateMultiple, card);
          await trx.updateTable("cards").set({ batch_id: null }).where("id", "=", activated.id).execute();
          outcomes.push({ cardId: card.id, state: "done" });
        } catch (error) {
          if (!isClientError(error)) throw error;
          await trx.updateTable("cards").set({ batch_id: null }).where("id", "=", card.id).execute();
          outcomes.push({ cardId: card.id, state: "failed", code: error.code, reason: error.message });
        }
      }
      await finishItems(trx, batch.id, outcomes, at);
      await finishChunk(
        trx,
        {
          batchId: batch.id,
          chunk,
          done: outcomes.filter((o) => o.state === "done").length,
          failed: outcomes.filter((o) => o.state === "failed").length,
        },
        at,
      );
    });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      mkdirSync(params.workDir, { recursive: true, mode: 0o700 });
      const begin = async () => {
        // On SQLite only this process produces: what it was producing before a crash is free again.
        if (store.dialect === "sqlite") {
          const released = await releaseRunningChunks(store.db, now());
          if (released) log.info({ chunks: released }, "resuming batch chunks interrupted by a restart");
        }
        await pump();
      };
      begin().catch((error: unknown) => log.error({ err: error }, "starting the batch runner failed"));
      timer = setInterval(() => void pump(), params.pollMs ?? 2000);
      timer.unref();
    },
    wake() {
      void pump();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        void pump().then(settleIdle);
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await producer?.close();
      producer = undefined;
    },
  };
}
