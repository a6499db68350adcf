import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { type ApiClient, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Finding 10 of issue 8: with TESSERA_PUBLIC_URL unset, Tessera silently wrote
 * http://localhost:PORT into every certificate's CRL and OCSP addresses. Outside the demo a
 * batch order is now refused with a sentence naming the setting, the runner refuses to sign as
 * a guard, and the start warns.
 */
describe.each(dialects)("certificates only with a public URL that was set, on %s", (dialect) => {
  let t: TestApp;
  let production: ApiClient;
  let productionActor: Actor;
  let cardIds: string[];

  /** A Tessera on the same database: a restart with other settings. */
  function restartWith(settings: { publicUrlSet: boolean; demo: boolean }) {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return {
      app: createApp({ ...t.app.config, ...settings }, { clock: t.clock, log }),
      warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg),
    };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false }, config: { publicUrlSet: false } });
    await t.operator("registrar", ["registrationOfficer"]);
    productionActor = await t.operator("production", ["productionAdministrator"]);
    const registrar = apiAs(t.server, await t.login("registrar"));
    production = apiAs(t.server, await t.login("production"));
    cardIds = await requestCardsForNewHolders(registrar, {
      lastName: "Localhost",
      count: 2,
      template: "Contractor badge",
    });
  });
  afterAll(() => t.close());

  it("refuses a batch order outside the demo, naming TESSERA_PUBLIC_URL, and claims no card", async () => {
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect([order.status, order.body.error.code]).toEqual([409, "batch.public_url_not_set"]);
    expect(order.body.error.message).toContain("TESSERA_PUBLIC_URL");
    expect(order.body.error.message).toContain("http://localhost:3000");
    const cards = await t.app.services.store.db
      .selectFrom("cards")
      .select(["state", "batch_id"])
      .where("id", "in", cardIds)
      .execute();
    expect(cards).toEqual([
      { state: "approved", batch_id: null },
      { state: "approved", batch_id: null },
    ]);
    expect(await t.app.services.store.db.selectFrom("batches").select("id").execute()).toEqual([]);
  });

  it("warns at a start without it, and keeps the demo working with localhost", async () => {
    const plain = restartWith({ publicUrlSet: false, demo: false });
    await (await plain.app).close();
    expect(plain.warnings().some((w) => w.includes("TESSERA_PUBLIC_URL is not set"))).toBe(true);

    const demo = restartWith({ publicUrlSet: false, demo: true });
    const app = await demo.app;
    try {
      expect(demo.warnings().some((w) => w.includes("TESSERA_PUBLIC_URL"))).toBe(false);
      expect(app.services.issuingRefusal).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it("has the runner refuse to sign a batch ordered before a restart without the setting", async () => {
    // Ordered while the setting was there...
    const before = await restartWith({ publicUrlSet: true, demo: false }).app;
    let batchId: string;
    try {
      const order = await runProcess(before.services, productionActor, "CardsBoProcIssueMultiple", {
        cardIds,
      });
      expect(order.status).toBe(202);
      batchId = (order.result as { batchId: string }).batchId;
    } finally {
      await before.close();
    }
    // ...and produced after a restart without it: nothing is signed, the cards fail with the reason.
    const after = await restartWith({ publicUrlSet: false, demo: false }).app;
    try {
      after.runner.start();
      await after.runner.idle();
      const { db } = after.services.store;
      expect(await db.selectFrom("certificates").select("serial").execute()).toEqual([]);
      const items = await db
        .selectFrom("batch_items")
        .select(["state", "reason"])
        .where("batch_id", "=", batchId)
        .execute();
      expect(items).toHaveLength(2);
      for (const item of items) {
        expect(item.state).toBe("failed");
        expect(item.reason).toContain("TESSERA_PUBLIC_URL is not set");
      }
      const cards = await db.selectFrom("cards").select("state").where("id", "in", cardIds).execute();
      expect(cards.map((c) => c.state)).toEqual(["failed", "failed"]);
    } finally {
      await after.close();
    }
  });
});
