import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkFolder, run } from "../pki/test-kit.js";
import { hasTool } from "../test-support/tools.js";
import type { ChunkCard, ChunkCardResult, ChunkResult } from "./chunk-job.js";
import { produceChunk } from "./produce-chunk.js";
import { createProductionContext, type ProductionContext } from "./production-context.js";
import { createSampleJpeg } from "./sample-photos.js";
import { createPukCipher } from "./secrets.js";
import { createTestInit, testCard, testJob } from "./test-kit.js";

const tools =
  hasTool("openssl", "openssl") &&
  hasTool("pdftotext", "poppler-utils") &&
  hasTool("pdfinfo", "poppler-utils");

const toPem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;

/** Card number → the letter's text, one page per letter. */
function readLetters(file: string): Map<string, string> {
  const pages = run("pdftotext", ["-layout", file, "-"])
    .stdout.split("\f")
    .filter((page) => page.trim());
  return new Map(pages.map((page) => [/Card number\s+(\d+)/.exec(page)![1]!, page]));
}

const pdfinfo = (file: string) => run("pdfinfo", [file]).stdout;
const okCards = (result: ChunkResult) =>
  result.cards.filter((card): card is Extract<ChunkCardResult, { ok: true }> => card.ok);

describe.runIf(tools)("produceChunk", () => {
  const folder = createWorkFolder("tessera-chunk-");
  let init: Awaited<ReturnType<typeof createTestInit>>;
  let context: ProductionContext;
  let caPem: string;
  let cards: ChunkCard[];
  let result: ChunkResult;
  let letters: Map<string, string>;

  beforeAll(async () => {
    init = await createTestInit();
    context = createProductionContext(init);
    caPem = folder.write("ca.pem", toPem(init.caCertificate));
    cards = [
      testCard("Employee ID", {}, createSampleJpeg()),
      testCard("Contractor badge", { organization: null, organizationalUnit: null, upn: null }),
      testCard("Employee ID", { lastName: "Иванова" }),
      testCard("Employee ID", { firstName: "Zoë", lastName: "Øster-Müller", title: "Engineer" }),
      testCard("Contractor badge"),
      testCard("Employee ID", { email: "not an address" }),
      testCard("Employee ID"),
      // As an older register held it: a name no certificate takes (registration refuses it now).
      testCard("Employee ID", {
        firstName: "Maximiliane Theodora Friederike",
        lastName: "von Hohenzollern-Sigmaringen-Wittelsbach",
      }),
    ];
    result = await produceChunk(context, testJob(folder.dir, 1, cards));
    letters = readLetters(folder.file("letters-1.pdf"));
  });
  afterAll(() => folder.remove());

  it("answers for every card in order; a card that cannot be made fails alone with its code", () => {
    expect(result.batchId).toBe("batch-1");
    expect(result.chunk).toBe(1);
    expect(result.cards.map((card) => card.cardId)).toEqual(cards.map((card) => card.cardId));
    expect(result.cards.map((card) => (card.ok ? "ok" : card.released ? "released" : card.code))).toEqual([
      "ok",
      "ok",
      "production.text_unprintable",
      "ok",
      "ok",
      "certificate.email_invalid",
      "ok",
      "certificate.subject_too_long",
    ]);
    // The reason in the operator's words, with what to do: not X.509's attribute names.
    const longName = result.cards[7]!;
    expect(!longName.ok && longName.reason).toBe(
      "The full name is 72 characters long and a card holds at most 64: give a shorter name on card, as it should be printed.",
    );
    const cyrillic = result.cards[2]!;
    // Checked before any key or certificate: nothing to revoke.
    expect(cyrillic).toMatchObject({ ok: false, certificates: [] });
    expect(!cyrillic.ok && cyrillic.reason).toMatch(/last name.*Иванова|cannot print/);
    expect(result.pages).toBe(5);
    for (const card of result.cards) expect(card.ms).toBeGreaterThan(0);
  });

  it("opens each token with the PIN from its letter, holding its keys, certificates and the CA", () => {
    for (const card of okCards(result)) {
      const { cardNumber, template } = cards.find((c) => c.cardId === card.cardId)!;
      const letter = letters.get(cardNumber)!;
      const pin = /PIN: (\d+)/.exec(letter)![1]!;
      expect(pin).toMatch(/^\d{6}$/);
      const token = folder.write(`${card.cardId}.p12`, card.token!);
      const opened = run("openssl", ["pkcs12", "-info", "-nodes", "-in", token, "-passin", `pass:${pin}`]);
      expect(opened.status, opened.stderr).toBe(0);
      const keys = template === "Employee ID" ? 2 : 1;
      expect(opened.stdout.match(/-----BEGIN PRIVATE KEY-----/g)).toHaveLength(keys);
      expect(opened.stdout.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(keys + 1);
      expect(opened.stdout).toContain(
        template === "Employee ID" ? "friendlyName: signature" : "authentication",
      );
      const wrongPin = pin === "000000" ? "111111" : "000000";
      const refused = run("openssl", [
        "pkcs12",
        "-info",
        "-nodes",
        "-in",
        token,
        "-passin",
        `pass:${wrongPin}`,
      ]);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/mac verify (failure|error)/i);
    }
  });

  it("issues certificates that verify against the CA, with the holder's subject and the template's validity", () => {
    const notBefore = Math.floor(Date.now() / 1000);
    for (const card of okCards(result)) {
      const { holder, template } = cards.find((c) => c.cardId === card.cardId)!;
      expect(card.certificates.map((c) => c.profile)).toEqual(
        template === "Employee ID" ? ["authentication", "signature"] : ["authentication"],
      );
      for (const certificate of card.certificates) {
        const file = folder.write(`${certificate.serial}.pem`, toPem(certificate.der));
        const verified = run("openssl", ["verify", "-CAfile", caPem, file]);
        expect(verified.stdout, verified.output).toContain(": OK");
        const x509 = new X509Certificate(certificate.der);
        expect(x509.serialNumber.toLowerCase().replace(/^0+/, "")).toBe(
          certificate.serial.replace(/^0+/, ""),
        );
        expect(x509.subject).toContain(`CN=${holder.firstName} ${holder.lastName}`);
        expect(x509.subject).toContain(`serialNumber=${holder.identifier}`);
        expect(x509.subjectAltName).toContain(`email:${holder.email}`);
        expect(certificate.subject).toContain(`CN=${holder.firstName} ${holder.lastName}`);
        expect(new Date(x509.validFrom).toISOString()).toBe(certificate.notBefore);
        expect(new Date(x509.validTo).toISOString()).toBe(certificate.notAfter);
        const days = template === "Employee ID" ? 1095 : 365;
        expect(Date.parse(certificate.notAfter) - Date.parse(certificate.notBefore)).toBe(days * 86_400_000);
        expect(Math.abs(Date.parse(certificate.notBefore) / 1000 - notBefore)).toBeLessThan(120);
      }
      expect(card.expiresAt).toBe(card.certificates[0]!.notAfter);
    }
  });

  it("writes one ID-1 card face per good card and one letter each, without the PUK", () => {
    const info = pdfinfo(folder.file("print-1.pdf"));
    expect(info).toMatch(/Pages:\s+5\n/);
    expect(info).toMatch(/Page size:\s+242\.65 x 153\.01 pts/);
    expect(pdfinfo(folder.file("letters-1.pdf"))).toMatch(/Pages:\s+5\n/);
    const faces = run("pdftotext", ["-layout", folder.file("print-1.pdf"), "-"]).stdout;
    const good = okCards(result).map((card) => cards.find((c) => c.cardId === card.cardId)!);
    for (const card of good) {
      expect(faces).toContain(card.cardNumber);
      expect(letters.has(card.cardNumber)).toBe(true);
    }
    for (const failed of result.cards.filter((card) => !card.ok)) {
      const { cardNumber } = cards.find((c) => c.cardId === failed.cardId)!;
      expect(faces).not.toContain(cardNumber);
      expect(letters.has(cardNumber)).toBe(false);
    }
    expect(faces).toContain("Øster-Müller");
    for (const letter of letters.values()) expect(letter).not.toContain("PUK:");
    expect(readdirSync(folder.dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("stores the PUK encrypted for the card, and prints it only when asked to", async () => {
    const cipher = createPukCipher(init.pukKey);
    for (const card of okCards(result)) {
      const puk = cipher.decrypt(card.pukEncrypted, card.cardId);
      expect(puk).toMatch(/^\d{8}$/);
      const { cardNumber } = cards.find((c) => c.cardId === card.cardId)!;
      expect(letters.get(cardNumber)).not.toContain(puk);
      expect(() => cipher.decrypt(card.pukEncrypted, "another-card")).toThrow(/integrity/);
    }

    const printed = [testCard("Employee ID"), testCard("Employee ID")];
    const second = await produceChunk(
      context,
      testJob(folder.dir, 2, printed, { pukPrinted: true, pinLength: 8, pukLength: 12 }),
    );
    const secondLetters = readLetters(folder.file("letters-2.pdf"));
    for (const [i, card] of okCards(second).entries()) {
      const letter = secondLetters.get(printed[i]!.cardNumber)!;
      expect(letter).toMatch(/PIN: \d{8}\b/);
      expect(letter).toContain(`PUK: ${cipher.decrypt(card.pukEncrypted, card.cardId)}`);
      expect(cipher.decrypt(card.pukEncrypted, card.cardId)).toMatch(/^\d{12}$/);
    }
  });

  it("fails a card refused by one part after the other took its page, and writes both parts again without it", async () => {
    const tooManyLines = ["1", "2", "3", "4", "5"].map((n) => `Line ${n}`);
    const chunk = [
      testCard("Employee ID"),
      testCard("Employee ID", { addressLines: tooManyLines }),
      testCard("Employee ID", {}, Buffer.from("not a photo at all")),
      testCard("Employee ID"),
    ];
    const third = await produceChunk(context, testJob(folder.dir, 3, chunk));
    expect(third.cards.map((card) => (card.ok ? "ok" : card.released ? "released" : card.code))).toEqual([
      "ok",
      "production.address_invalid",
      "production.photo_invalid",
      "ok",
    ]);
    // Found only when the pages were written: the certificates were signed and go back for revocation.
    expect(third.cards[1]!.certificates).toHaveLength(2);
    expect(third.cards[2]!.certificates).toHaveLength(2);
    expect(third.pages).toBe(2);
    expect(pdfinfo(folder.file("print-3.pdf"))).toMatch(/Pages:\s+2\n/);
    const thirdLetters = readLetters(folder.file("letters-3.pdf"));
    expect([...thirdLetters.keys()]).toEqual([chunk[0]!.cardNumber, chunk[3]!.cardNumber]);
    const faces = run("pdftotext", ["-layout", folder.file("print-3.pdf"), "-"]).stdout;
    expect(faces).not.toContain(chunk[1]!.cardNumber);
  });

  it("writes no part when no card is good, and removes one left by an earlier attempt", async () => {
    const job = testJob(folder.dir, 4, [testCard("Employee ID", { lastName: "Ωμέγα" })]);
    writeFileSync(job.printFilePath, "stale");
    writeFileSync(`${job.pinLettersPath}.tmp`, "stale");
    const empty = await produceChunk(context, job);
    expect(empty.pages).toBe(0);
    expect(empty.cards).toMatchObject([{ ok: false, code: "production.text_unprintable" }]);
    for (const file of [job.printFilePath, job.pinLettersPath]) {
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.tmp`)).toBe(false);
    }
  });

  it("refuses a job it cannot produce at all, before writing anything", async () => {
    const card = testCard("Employee ID");
    await expect(
      produceChunk(context, testJob(folder.dir, 5, [card], { pinLength: 3 })),
    ).rejects.toMatchObject({
      code: "production.options_invalid",
    });
    await expect(
      produceChunk(context, testJob(folder.dir, 5, [{ ...card, template: "No such template" }])),
    ).rejects.toThrow(/No such template/);
    expect(existsSync(folder.file("print-5.pdf.tmp"))).toBe(false);
  });

  it("rejects the whole chunk when a part cannot be written, leaving no part behind", async () => {
    const job = testJob(folder.dir, 8, [testCard("Employee ID")], {
      printFilePath: folder.file("no-such-folder/print-8.pdf"),
    });
    await expect(produceChunk(context, job)).rejects.toThrow(/ENOENT/);
    expect(existsSync(job.pinLettersPath)).toBe(false);
    expect(existsSync(`${job.pinLettersPath}.tmp`)).toBe(false);
  });

  it("fails every card with ca.expired once the CA has run out", async () => {
    const job = testJob(folder.dir, 6, [testCard("Employee ID")], {
      notBefore: new Date(Date.now() + 11 * 365 * 86_400_000).toISOString(),
    });
    const expired = await produceChunk(context, job);
    expect(expired.cards).toMatchObject([{ ok: false, code: "ca.expired", certificates: [] }]);
  });

  it("limits the certificates to the CA's own end", async () => {
    const nearEnd = new Date(Date.now() + (10 * 365 - 30) * 86_400_000);
    const clamped = await produceChunk(
      context,
      testJob(folder.dir, 7, [testCard("Employee ID")], { notBefore: nearEnd.toISOString() }),
    );
    const [card] = okCards(clamped);
    const caEnd = new X509Certificate(init.caCertificate).validTo;
    expect(card!.expiresAt).toBe(new Date(caEnd).toISOString());
  });
});
