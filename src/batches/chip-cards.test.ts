import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import { type ChipTessera, chipTemplate, startChipTessera } from "../test-support/chip-cards.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { readPinLetters } from "../test-support/pin-letters.js";
import { hasSoftHsm, softHsmModule, transportSoPin, transportUserPin } from "../test-support/softhsm.js";
import type { TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

/**
 * Issue 10: chip cards in a batch. Each card's keys are generated on its chip (SoftHSM stands in
 * for the cards), the PUK becomes the chip's SO PIN and the PIN its user PIN; OpenSC's
 * pkcs11-tool and OpenSSL judge what is on the chips, with the PIN read off the printed letter.
 */
const tools = hasSoftHsm() && hasTool("openssl", "openssl") && hasTool("pdftotext", "poppler-utils");
const { file } = createScratchFolder("tessera-chip-");
const cardsPerDialect = 20;

const chipCard = chipTemplate("Chip ID", "soLogin", 2);

describe.runIf(tools)("chip cards in a batch (SoftHSM, judged by pkcs11-tool and OpenSSL)", () => {
  describe.each(dialects)("on %s", (dialect) => {
    // Each database numbers its cards alike: its own readers.
    const suite = startChipTessera({
      chipCard,
      blanks: cardsPerDialect + 2,
      dialect,
      options: { pukDelivery: "print" },
      onRealTime: true,
    });
    let t: TestApp;
    let ops: ChipTessera["ops"];
    let mailerCookie: string;
    let cardIds: string[];
    let batchId: string;

    const tool = (...args: string[]) =>
      spawnSync("pkcs11-tool", ["--module", softHsmModule, ...args], {
        encoding: "utf8",
        env: { ...process.env, SOFTHSM2_CONF: suite.reader.conf },
      });

    beforeAll(async () => {
      ({ t, ops } = suite);
      await t.operator("mailer", ["pinMailer"]);
      mailerCookie = await t.login("mailer");
      cardIds = await requestCardsForNewHolders(ops.registrar, {
        lastName: `Chip${dialect}`,
        count: cardsPerDialect,
        template: "Chip ID",
      });
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
        cardIds,
        options: { pinLength: 6, cardEndState: "active", certificateEndState: "valid" },
      });
      expect(order.status).toBe(202);
      batchId = order.body.batchId;
      t.app.runner.start();
      await t.app.runner.idle();
    }, 240_000);

    it("personalises every chip: keys born on it, its certificates beside them, the PIN from the letter opens it", async () => {
      const batch = (await ops.production("GET", `/api/v1/batches/${batchId}`)).body;
      expect(batch).toMatchObject({
        state: "completed",
        total: cardsPerDialect,
        done: cardsPerDialect,
        failed: 0,
      });
      const letters = new Map<string, { pin: string; puk?: string }>();
      for (let part = 1; part <= batch.printFile.length; part++) {
        const pdf = await t.server.inject({
          url: `/api/v1/batches/${batchId}/pin-letters?part=${part}`,
          headers: { cookie: mailerCookie },
        });
        for (const [number, secrets] of readPinLetters(pdf.rawPayload)) letters.set(number, secrets);
      }
      expect(letters.size).toBe(cardsPerDialect);

      const serials = new Set<string>();
      for (const [index, id] of cardIds.entries()) {
        const card = (await ops.production("GET", `/api/v1/cards/${id}`)).body;
        expect(card).toMatchObject({ state: "active", batchId: null });
        expect(card.tokenSerial).toMatch(/^[0-9a-f]+$/);
        serials.add(card.tokenSerial);
        expect(card.certificates.map((c: { state: string }) => c.state)).toEqual(["valid", "valid"]);
        // No token to download: the keys are on the chip.
        expect((await ops.production("GET", `/api/v1/cards/${id}/token`)).status).toBeGreaterThanOrEqual(400);

        const { pin, puk } = letters.get(card.cardNumber)!;
        const listed = tool("--token-label", card.cardNumber, "--login", "--pin", pin, "--list-objects");
        expect(listed.status, listed.stderr).toBe(0);
        const privateKeys = listed.stdout
          .split(/\n(?=\S)/)
          .filter((block) => block.startsWith("Private Key Object"));
        expect(privateKeys).toHaveLength(2);
        for (const key of privateKeys) {
          expect(key).toContain("EC");
          expect(key).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
        }
        expect(privateKeys.find((key) => key.includes("authentication key"))).toMatch(/Usage:\s+sign\n/);
        const certificates = listed.stdout
          .split(/\n(?=\S)/)
          .filter((block) => block.startsWith("Certificate Object"));
        // The holder's two and the CA's.
        expect(certificates).toHaveLength(3);

        // Wrong PINs and the transport PINs of the blank card are refused; the PUK on the letter is
        // the SO PIN (setting the user PIN to what it is changes nothing).
        for (const wrong of ["000000", transportUserPin])
          expect(
            tool("--token-label", card.cardNumber, "--login", "--pin", wrong, "--list-objects").status,
          ).not.toBe(0);
        expect(suite.reader.soPinOpens(card.cardNumber, transportSoPin, pin)).toBe(false);
        expect(suite.reader.soPinOpens(card.cardNumber, String(puk), pin)).toBe(true);

        // The first cards: the chip signs, OpenSSL verifies with the certificate; CRL and OCSP agree.
        if (index < 3) {
          const { serial } = card.certificates.find(
            (certificate: { profile: string }) => certificate.profile === "authentication",
          );
          const der = await t.server.inject({
            url: `/api/v1/certificates/${serial}`,
            headers: { accept: "application/pkix-cert", cookie: await t.login("production") },
          });
          const certFile = file(`${serial}.pem`, toPem(der.rawPayload, "CERTIFICATE"));
          const id = /ID:\s+([0-9a-f]+)/.exec(
            privateKeys.find((key) => key.includes("authentication key"))!,
          )![1]!;
          const data = file(`challenge-${serial}`, `challenge for ${card.cardNumber}`);
          // SoftHSM signs with CKM_ECDSA only: the chip signs the digest, OpenSSL hashes the data.
          const digest = file(
            `digest-${serial}`,
            createHash("sha256").update(`challenge for ${card.cardNumber}`).digest(),
          );
          const signature = file(`signature-${serial}`, "");
          const signed = tool(
            "--token-label",
            card.cardNumber,
            "--login",
            "--pin",
            pin,
            "--sign",
            "--id",
            id,
            "--mechanism",
            "ECDSA",
            "--signature-format",
            "openssl",
            "--input-file",
            digest,
            "--output-file",
            signature,
          );
          expect(signed.status, signed.stderr).toBe(0);
          const publicKey = file(
            `public-${serial}.pem`,
            execFileSync("openssl", ["x509", "-in", certFile, "-pubkey", "-noout"]),
          );
          expect(
            execFileSync(
              "openssl",
              ["dgst", "-sha256", "-verify", publicKey, "-signature", signature, data],
              {
                encoding: "utf8",
              },
            ),
          ).toContain("Verified OK");
          const caFile = file("ca.pem", t.app.services.ca.chainPem);
          const crl = await t.server.inject({ url: "/pki/crl" });
          const crlFile = file(`crl-${dialect}.pem`, toPem(crl.rawPayload, "X509 CRL"));
          expect(
            execFileSync(
              "openssl",
              ["verify", "-crl_check", "-CAfile", caFile, "-CRLfile", crlFile, certFile],
              {
                encoding: "utf8",
              },
            ),
          ).toContain("OK");
          expect(await askOcsp({ caFile, certFile, responderUrl: `${suite.baseUrl}/pki/ocsp` })).toMatch(
            /: good/,
          );
        }
      }
      expect(serials.size).toBe(cardsPerDialect);
      // Nothing is left in the journal once the cards are recorded.
      const { db } = t.app.services.store;
      expect(await db.selectFrom("chip_journal").selectAll().execute()).toEqual([]);
      expect(await db.selectFrom("chip_journal_certificates").selectAll().execute()).toEqual([]);
    }, 240_000);

    it("makes a batch of software and chip cards side by side, each by its template's encoder", async () => {
      const soft = await requestCardsForNewHolders(ops.registrar, {
        lastName: `Mixedsoft${dialect}`,
        count: 2,
        template: "Employee ID",
      });
      const chip = await requestCardsForNewHolders(ops.registrar, {
        lastName: `Mixedchip${dialect}`,
        count: 2,
        template: "Chip ID",
      });
      // One chunk of four (the tests' chunk size) holding both kinds.
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
        cardIds: [soft[0], chip[0], soft[1], chip[1]],
        options: { pinLength: 6 },
      });
      expect(order.status).toBe(202);
      await t.app.runner.idle();
      const batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
      expect(batch).toMatchObject({ state: "completed", done: 4, failed: 0 });
      const chips = new Map(
        batch.items.map((item: { cardId: string; tokenSerial: string | null }) => [
          item.cardId,
          item.tokenSerial,
        ]),
      );
      for (const id of soft) {
        expect(chips.get(id)).toBeNull();
        const token = await t.server.inject({
          url: `/api/v1/cards/${id}/token`,
          headers: { cookie: await t.login("production") },
        });
        expect(token.statusCode).toBe(200);
      }
      for (const id of chip) {
        const card = (await ops.production("GET", `/api/v1/cards/${id}`)).body;
        expect(card.tokenSerial).toMatch(/^[0-9a-f]+$/);
        expect(chips.get(id)).toBe(card.tokenSerial);
        expect(tool("--token-label", card.cardNumber, "--list-objects").stdout).toContain(
          "Certificate Object",
        );
      }
    }, 120_000);
  });
});
