import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { expect } from "vitest";
import type { App } from "../app.js";
import { type BatchScheduler, type ChunkProducer, createBatchScheduler } from "../batches/scheduler.js";
import type { ProcessOptions } from "../domain/process-options.js";
import { runProcess } from "../processes/registry.js";
import type { Actor, Services } from "../services/services.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { findOperatorByUsername } from "../store/operators.js";
import { type ApiClient, produceBatch } from "./api-setup.js";
import type { TestApp } from "./test-app.js";

/**
 * Puts one chunk of a batch in the hands of another Tessera whose lease has already run out,
 * as one that crashed or stalled mid-chunk leaves it: a test's way to a chunk "in production".
 */
export async function leaseChunkElsewhere(
  t: TestApp,
  batch: { batchId: string; chunk: number; attempts?: number },
): Promise<void> {
  const { batchId, chunk, attempts } = batch;
  await t.app.services.store.db
    .updateTable("batch_chunks")
    .set({
      state: "running",
      claimed_by: "elsewhere",
      lease_until: new Date(t.app.services.clock().getTime() - 60_000).toISOString(),
      ...(attempts !== undefined && { attempts }),
    })
    .where("batch_id", "=", batchId)
    .where("chunk", "=", chunk)
    .execute();
}

/**
 * The batch scheduler of another Tessera process on the same database: its own work folder
 * (`workDir`, under the data folder), silent, its software chunks given to `run` (by default
 * refused: a production station without them). Stopped by the caller.
 */
export function schedulerOfAnotherProcess(
  t: TestApp,
  other: {
    workDir: string;
    run?: ChunkProducer["run"];
    services?: Services;
    leaseMs?: number;
    maxAttempts?: number;
  },
): BatchScheduler {
  const { workDir, run = () => Promise.reject(new Error("no software cards here")), ...settings } = other;
  return createBatchScheduler({
    services: t.app.services,
    ...settings,
    producer: () => ({ size: 1, run, close: async () => {} }),
    log: pino({ level: "silent" }),
    workDir: path.join(t.app.config.dataDir, workDir),
    organizationName: "Test",
    activationUrl: "http://localhost/activate",
  });
}

/**
 * What the crash tests start from, in the Tessera `openApp` opens and closes again: the administrator (who registers, requests and produces, with
 * no approval step) imports `holders` new holders named `lastName`, requests a `template` card for
 * each and orders them all issued in one batch, which nothing has started yet. Returns its id.
 */
export async function orderBatchOfNewHolders(
  openApp: () => Promise<App>,
  order: {
    holders: number;
    lastName: string;
    template: string;
    options: Record<string, unknown>;
    processOptions?: Partial<ProcessOptions>;
  },
): Promise<string> {
  const app = await openApp();
  try {
    return await orderBatch(app, order);
  } finally {
    await app.close();
  }
}

async function orderBatch(app: App, order: Parameters<typeof orderBatchOfNewHolders>[1]): Promise<string> {
  const { db } = app.services.store;
  const admin = (await findOperatorByUsername(db, "admin"))!;
  const actor: Actor = {
    id: admin.id,
    username: "admin",
    roles: ["registrationOfficer", "productionAdministrator", "administrator"],
  };
  await db
    .updateTable("process_options")
    .set({
      options: JSON.stringify({
        ...(await app.services.getOptions()),
        approvalStep: false,
        ...order.processOptions,
      }),
    })
    .execute();
  const csv = ["firstName,lastName,email,identifier"];
  for (let i = 0; i < order.holders; i++) csv.push(`Kim${i},${order.lastName},k${i}@example.org,K-${i}`);
  await runProcess(app.services, actor, "UsersBoProcImport", { csv: csv.join("\n") });
  const users = await db.selectFrom("users").select("id").execute();
  await runProcess(app.services, actor, "CardsBoProcRequestMultiple", {
    userIds: users.map((u) => u.id),
    template: order.template,
  });
  const ids = await db.selectFrom("cards").select("id").execute();
  const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", {
    cardIds: ids.map((c) => c.id),
    options: order.options,
  });
  return (result as { batchId: string }).batchId;
}

/**
 * Produces the card in a batch of its own and checks that it failed on its holder's data before
 * anything was made: failed, its reason naming `reason`, no certificate, and Repeat production
 * neither offered nor accepted (card.holder_unfit_for_card, naming `field`). Returns the card.
 */
export async function produceCardFailingOnHolder(
  t: TestApp,
  production: ApiClient,
  cardId: string,
  expected: { reason: string; field: string },
) {
  await produceBatch(t, production, [cardId]);
  const card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
  expect(card.state).toBe("failed");
  expect(card.reason).toContain(expected.reason);
  expect(await findCertificatesOfCard(t.app.services.store.db, cardId)).toEqual([]);
  expect(card.allowedProcesses).not.toContain("CardsProcRepeatProduction");
  const repeat = await production("POST", "/api/v1/processes/CardsProcRepeatProduction", { cardId });
  expect(repeat.status).toBe(409);
  expect(repeat.body.error).toMatchObject({
    code: "card.holder_unfit_for_card",
    details: { field: expected.field },
  });
  return card;
}

/**
 * Runs a batch (ordered with the runner stopped) with its work folder blocked by a file in its
 * place, so that nothing of it can be produced: each chunk fails for a reason not its cards' until
 * the last attempt fails its cards with that reason. Resolves once the batch has stopped running.
 */
export async function runBatchThatCannotBeProduced(
  t: TestApp,
  production: ApiClient,
  batchId: string,
): Promise<void> {
  const workDir = path.join(t.app.config.dataDir, "work", batchId);
  mkdirSync(path.dirname(workDir), { recursive: true });
  writeFileSync(workDir, "");
  t.app.runner.start();
  try {
    for (let waited = 0; ; waited += 50) {
      await t.app.runner.idle();
      if ((await production("GET", `/api/v1/batches/${batchId}`)).body.state !== "running") break;
      if (waited > 20_000) throw new Error("the batch did not give up");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    rmSync(workDir, { force: true });
  }
}
