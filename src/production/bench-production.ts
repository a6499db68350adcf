// @peculiar/x509 needs the Reflect metadata API before it loads; it only makes the bench's
// throwaway certificates.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { createWriteStream } from "node:fs";
import { devNull } from "node:os";
import * as x509 from "@peculiar/x509";
import type { CardFace } from "./card-face.js";
import { createPinLetterWriter } from "./pin-letters.js";
import { buildPkcs12, type Pkcs12Entry } from "./pkcs12.js";
import { createPrintFileWriter } from "./print-file.js";
import { createSampleJpeg } from "./sample-photos.js";
import { generateDigits } from "./secrets.js";

export interface ProductionBenchOptions {
  /** Card faces and PIN letters to write. */
  readonly cards: number;
  /** PKCS#12 files to build; `min(cards, 5000)` when left out (each costs ≈ 2 ms). */
  readonly pkcs12Files?: number;
}

export interface ProductionBenchResult {
  /** Software-token files per second: two P-256 keys and certificates plus the CA, 2048 iterations. */
  readonly pkcs12PerSecond: number;
  /** ID-1 pages per second, each with a 9 KB JPEG photo and a Code 128, into the null device. */
  readonly cardFacesPerSecond: number;
  /** A4 PIN letters per second, PUK printed, into the null device. */
  readonly pinLettersPerSecond: number;
  /** The process's peak resident set size, in MB, including what it used before the bench. */
  readonly peakRssMb: number;
  /** How many of each were made. */
  readonly counts: { readonly pkcs12Files: number; readonly cardFaces: number; readonly pinLetters: number };
}

/**
 * Measures the production library on one thread: PKCS#12 files, card faces and PIN letters.
 * The PDFs go to the null device, so the rates are the library's, not the disk's.
 */
export async function benchProduction(options: ProductionBenchOptions): Promise<ProductionBenchResult> {
  const cards = Math.max(1, Math.floor(options.cards));
  const pkcs12Files = Math.max(1, Math.floor(options.pkcs12Files ?? Math.min(cards, 5000)));

  const entries = await Promise.all([makeEntry("authentication"), makeEntry("signature")]);
  const ca = await makeEntry("ca");
  const pkcs12Seconds = time(() => {
    for (let i = 0; i < pkcs12Files; i++) {
      buildPkcs12({ entries, caCertificates: [ca.certificate], password: generateDigits(6) });
    }
  });

  const photo = createSampleJpeg(192, 240, 8_500);
  const faces = createPrintFileWriter(createWriteStream(devNull), {
    layout: { title: "EMPLOYEE ID", accentColor: "#1f4e79" },
  });
  const facesSeconds = await timeAsync(async () => {
    for (let i = 0; i < cards; i++) await faces.addCard(sampleFace(i, photo));
    await faces.finish();
  });

  const letters = createPinLetterWriter(createWriteStream(devNull), {
    organizationName: "Tessera ID Office",
    pukPrinted: true,
    senderAddress: ["Main Street 1", "1000 Springfield"],
  });
  const lettersSeconds = await timeAsync(async () => {
    for (let i = 0; i < cards; i++) {
      await letters.addLetter({
        cardNumber: sampleCardNumber(i),
        holder: {
          firstName: "Ada",
          lastName: `Lovelace ${i}`,
          organization: "Analytical Engines Ltd",
          addressLines: ["12 St James's Square", "London SW1Y 4JH"],
        },
        pin: generateDigits(6),
        puk: generateDigits(8),
        templateName: "Employee ID",
        batchId: "bench",
      });
    }
    await letters.finish();
  });

  return {
    pkcs12PerSecond: Math.round(pkcs12Files / pkcs12Seconds),
    cardFacesPerSecond: Math.round(cards / facesSeconds),
    pinLettersPerSecond: Math.round(cards / lettersSeconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    counts: { pkcs12Files, cardFaces: cards, pinLetters: cards },
  };
}

function sampleCardNumber(i: number): string {
  return `7001${String(i).padStart(8, "0")}`;
}

function sampleFace(i: number, photo: Buffer): CardFace {
  return {
    cardNumber: sampleCardNumber(i),
    firstName: "Ada",
    lastName: `Lovelace ${i}`,
    organization: "Analytical Engines Ltd",
    organizationalUnit: "Research & Development",
    title: "Engineer",
    expiry: new Date(Date.UTC(2029, 2, 31)),
    photo,
  };
}

/** A P-256 key (PKCS#8 DER) with a self-signed certificate. */
async function makeEntry(name: string): Promise<Pkcs12Entry> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  // @peculiar/x509 signs with globalThis.crypto, Node's WebCrypto.
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Tessera bench ${name}`,
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  return {
    privateKeyPkcs8: Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
    certificate: Buffer.from(certificate.rawData),
    friendlyName: name,
  };
}

function time(work: () => void): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}

async function timeAsync(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}
