import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { demoTemplates } from "../domain/card-template.js";
import { findBatch } from "../store/batches.js";
import { orderBatchOfNewHolders } from "../test-support/batches.js";
import { chipTemplate } from "../test-support/chip-cards.js";
import { createScratchFolder } from "../test-support/files.js";
import { killWorkerWhen } from "../test-support/killed-worker.js";
import { readPinLetters } from "../test-support/pin-letters.js";
import {
  blankCardReaderForSuite,
  hasSoftHsm,
  softHsmModule,
  transportSoPin,
} from "../test-support/softhsm.js";
import { hasTool } from "../test-support/tools.js";

/**
 * Issue 10: a card on plastic cannot be rolled back. `tessera worker` is killed (SIGKILL, no
 * chance to tidy up) again and again while it personalises a batch of 40 chip cards; after the
 * last start every card is either fully personalised and issued or failed, no token holds
 * stray keys or certificates, every certificate Tessera signed is on a finished card or revoked,
 * and the CRL says what the database says.
 *
 * A kill can also land inside SoftHSM while it writes a token's files, which it does in place:
 * SoftHSM's own log then says "Failed to delete lock file" (C_InitToken answers CKR_DEVICE_ERROR)
 * or "Token integrity check failed" (the token is gone from the slot list). Such a chip is set
 * aside and its card made on another blank card (`chip-resume.test.ts`), so a set-aside chip may
 * carry a card's number too: each card is read on the chip its record names, by serial.
 */
const tools = hasSoftHsm() && hasTool("openssl", "openssl") && hasTool("pdftotext", "poppler-utils");
const cli = path.resolve("dist/cli/main.js");
const cards = 40;
const { file } = createScratchFolder("tessera-chip-crash-");

const chipCard = chipTemplate("Chip ID", "soLogin", 2);

describe.runIf(tools)("a batch of chip cards survives SIGKILL at any point", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-chip-crash-"));
  const softHsm = blankCardReaderForSuite(cards + 4);
  let env: NodeJS.ProcessEnv;
  let batchId: string;

  const openApp = (): Promise<App> => createApp(loadConfig({ env }));

  /**
   * Starts `tessera worker` and kills it once `moment` holds in its database: a card's chip
   * journalled, a certificate journalled and not yet on a finished card, or so many cards recorded.
   */
  function killWhen(moment: "started" | "certificate" | { done: number }): Promise<void> {
    return killWorkerWhen({ cli, env, dataDir, pollMs: 2 }, JSON.stringify(moment), (db) => {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      if (moment === "started") return count("select count(*) as n from chip_journal") > 0;
      if (moment === "certificate") return count("select count(*) as n from chip_journal_certificates") > 0;
      return (
        (db.prepare("select done from batches where id = ?").get(batchId) as { done: number }).done >=
        moment.done
      );
    });
  }

  beforeAll(async () => {
    env = {
      ...process.env,
      SOFTHSM2_CONF: softHsm.reader.conf,
      TESSERA_TRANSPORT_SO_PIN: transportSoPin,
      TESSERA_CONFIG: file("tessera.json", JSON.stringify({ templates: [...demoTemplates, chipCard] })),
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ADMIN_PASSWORD: "crash test administrator",
      TESSERA_DEMO: "false",
      TESSERA_PUBLIC_URL: "https://id.example.org",
      TESSERA_BATCH_CHUNK_SIZE: "5",
      TESSERA_WORKERS: "1",
      LOG_LEVEL: "silent",
    };
    process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    batchId = await orderBatchOfNewHolders(openApp, {
      holders: cards,
      lastName: "Chipcrash",
      template: "Chip ID",
      options: { pinLength: 6, cardEndState: "issued", certificateEndState: "onHold" },
      processOptions: { pukDelivery: "print" },
    });
  });
  afterAll(() => {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("ends with every card personalised exactly once or failed, nothing stray on any token, every other certificate revoked", async () => {
    const moments: Parameters<typeof killWhen>[0][] = [
      "started",
      "certificate",
      { done: 5 },
      "certificate",
      { done: 15 },
      "certificate",
      { done: 25 },
    ];
    for (const moment of moments) await killWhen(moment);

    const app = await openApp();
    try {
      const { db } = app.services.store;
      const before = (await findBatch(db, batchId))!;
      expect(before.done).toBeLessThan(cards);
      const interrupted = await db
        .selectFrom("batch_chunks")
        .select("chunk")
        .where("attempts", ">", 1)
        .execute();
      expect(interrupted.length).toBeGreaterThan(0);
      app.runner.start();
      await app.runner.idle();
      const batch = (await findBatch(db, batchId))!;
      expect(batch).toMatchObject({ state: "completed", total: cards, left: 0 });
      expect(batch.done + batch.failed).toBe(cards);
      // A chip redone on resume ends personalised: none of these kills need fail a card.
      const failures = await db
        .selectFrom("batch_items")
        .select(["seq", "code", "reason"])
        .where("batch_id", "=", batchId)
        .where("state", "=", "failed")
        .execute();
      expect(failures).toEqual([]);
      expect(batch.failed).toBe(0);

      const rows = await db
        .selectFrom("cards")
        .select(["id", "card_number", "state", "token_serial"])
        .execute();
      expect(rows.every((card) => card.state === "issued" && card.token_serial)).toBe(true);
      expect(new Set(rows.map((card) => card.token_serial)).size).toBe(cards);
      expect(await db.selectFrom("chip_journal").selectAll().execute()).toEqual([]);
      expect(await db.selectFrom("chip_journal_certificates").selectAll().execute()).toEqual([]);

      // The PIN letters of the recorded chunks (an interrupted chunk's letters were never kept).
      const parts = await db
        .selectFrom("batch_parts")
        .select(["data"])
        .where("kind", "=", "pinLetters")
        .execute();
      const pins = new Map<string, string>();
      for (const part of parts)
        for (const [number, { pin }] of readPinLetters(Buffer.from(part.data))) pins.set(number, pin);
      expect(pins.size).toBe(cards);

      // The slot of each token, by its serial (SoftHSM's slot IDs hold while nothing initialises a token).
      const tokens = spawnSync("pkcs11-tool", ["--module", softHsmModule, "--list-token-slots"], {
        encoding: "utf8",
        env,
      }).stdout;
      const slots = new Map<string, string>();
      for (const block of tokens.split(/\n(?=Slot )/)) {
        const slot = /^Slot \d+ \((0x[0-9a-f]+)\)/.exec(block)?.[1];
        const serial = /serial num\s*:[ \t]*(\S+)/.exec(block)?.[1];
        if (slot && serial) slots.set(serial, slot);
      }
      const slotOf = (serial: string) => {
        const slot = slots.get(serial);
        if (!slot) throw new Error(`no reader holds token ${serial}`);
        return slot;
      };

      // Each card's chip holds exactly its two keys, its two certificates and the CA's; the
      // certificates on the chips are exactly those recorded on hold, every other one is revoked.
      const certificates = await db
        .selectFrom("certificates")
        .select(["serial", "card_id", "state", "der"])
        .execute();
      const onChips = new Set<string>();
      for (const card of rows) {
        const listed = spawnSync(
          "pkcs11-tool",
          [
            "--module",
            softHsmModule,
            "--slot",
            slotOf(card.token_serial!),
            "--login",
            "--pin",
            pins.get(card.card_number)!,
            "--list-objects",
          ],
          { encoding: "utf8", env },
        );
        expect(listed.status, listed.stderr).toBe(0);
        const blocks = listed.stdout.split(/\n(?=\S)/);
        expect(blocks.filter((block) => block.startsWith("Private Key Object"))).toHaveLength(2);
        expect(blocks.filter((block) => block.startsWith("Public Key Object"))).toHaveLength(2);
        const onChip = blocks.filter((block) => block.startsWith("Certificate Object"));
        expect(onChip).toHaveLength(3);
        for (const block of onChip) {
          const label = /label:\s+(.+)/.exec(block)![1]!.trim();
          if (label === "CA") continue;
          const der = spawnSync(
            "pkcs11-tool",
            [
              "--module",
              softHsmModule,
              "--slot",
              slotOf(card.token_serial!),
              "--read-object",
              "--type",
              "cert",
              "--label",
              label,
            ],
            { env },
          ).stdout;
          onChips.add(new X509Certificate(der).serialNumber.toLowerCase());
        }
      }
      const held = certificates.filter((certificate) => certificate.state === "onHold");
      expect(held).toHaveLength(cards * 2);
      expect(new Set(held.map((certificate) => certificate.serial.toLowerCase()))).toEqual(onChips);
      const others = certificates.filter((certificate) => certificate.state !== "onHold");
      expect(others.every((certificate) => certificate.state === "revoked")).toBe(true);
      console.log(
        `${before.done} of ${cards} done before the last start; ${interrupted.length} chunks interrupted; ${others.length} certificates of interrupted cards revoked`,
      );

      // No other token holds anything: the blank cards left over are still blank.
      const labels = [...tokens.matchAll(/token label\s*:\s*(.+)/g)].map((match) => match[1]!.trim());
      const numbers = new Set(rows.map((card) => card.card_number));
      for (const label of labels.filter((label) => !numbers.has(label) && label.startsWith("blank-"))) {
        const listed = spawnSync(
          "pkcs11-tool",
          ["--module", softHsmModule, "--token-label", label, "--list-objects"],
          {
            encoding: "utf8",
            env,
          },
        );
        expect(listed.stdout.trim()).toBe("");
      }
      expect(labels.filter((label) => !numbers.has(label) && !label.startsWith("blank-"))).toEqual([]);

      // The CRL lists exactly the revoked certificates, each signed before the last start.
      const crl = await app.services.crl.current();
      const crlText = execFileSync(
        "openssl",
        ["crl", "-inform", "DER", "-in", file("crl.der", Buffer.from(crl.der)), "-noout", "-text"],
        {
          encoding: "utf8",
        },
      );
      const listed = new Set(
        [...crlText.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((match) => match[1]!.toLowerCase()),
      );
      const revoked = new Set(
        certificates
          .filter((certificate) => certificate.state !== "valid")
          .map((certificate) => certificate.serial.toLowerCase()),
      );
      expect(listed).toEqual(revoked);
    } finally {
      await app.close();
    }
  }, 300_000);
});
