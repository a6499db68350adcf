import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { CertificateProfile } from "../domain/card-template.js";
import {
  type CertificateIssuer,
  type CertificateSubject,
  clampValidity,
  createCertificateIssuer,
  createKeySigner,
  isPkiError,
  PkiError,
  parseCaCertificate,
  randomSerial,
  type Signer,
  serialToHex,
  signatureAlgorithmFor,
  subjectText,
} from "../pki/index.js";
import { type CardFace, prepareCardFace } from "./card-face.js";
import { type CardKeyPair, generateCardKeyPair } from "./card-keys.js";
import type {
  ChunkCard,
  ChunkCardResult,
  ChunkCertificate,
  ChunkJob,
  ChunkResult,
  ChunkTemplate,
  WorkerInit,
} from "./chunk-job.js";
import { createPinLetterWriter, type PinLetter } from "./pin-letters.js";
import { buildPkcs12 } from "./pkcs12.js";
import { createPrintFileWriter } from "./print-file.js";
import { printableText } from "./printable-text.js";
import { isProductionError, ProductionError } from "./production-error.js";
import { createPukCipher, generateDigits, type PukCipher } from "./secrets.js";

/**
 * Produces one chunk of a batch (see `chunk-job.ts`): for each card, in order, PIN and PUK, the
 * key pairs on the card, the certificates from the CA, the card's token, the encrypted PUK; then
 * the chunk's print-file and PIN-letter parts. No threads and no database here: the worker
 * thread (`chunk-worker.ts`) calls it, and so can a test.
 */

/** One key and its certificate, as they go onto the card. */
export interface TokenEntry {
  readonly keyPair: CardKeyPair;
  readonly certificate: Buffer;
  /** The label card tools show: the certificate profile's name. */
  readonly friendlyName: string;
}

/**
 * What writes a card: the software token here, a PKCS#11 card later.
 *
 * The software encoder generates keys in this thread and hands back the private key as PKCS#8
 * for the PKCS#12 file. A PKCS#11 encoder keeps the private key on the card and will need a
 * handle in its place, and a step before the first key that initializes the card with the PUK as
 * its security-officer PIN; that shape is for the PKCS#11 work to settle, not guessed here.
 */
export interface CardEncoder {
  /** A key pair for one certificate profile, generated "on the card". */
  generateKeyPair(profile: CertificateProfile): CardKeyPair;
  /** Writes the keys and certificates to the card, protected by `pin`; returns the token bytes. */
  finishToken(entries: readonly TokenEntry[], pin: string): Buffer;
}

/** The software card: a PKCS#12 file with the keys, their certificates and the CA chain. */
export function createSoftwareEncoder(options: {
  /** The CA certificate first, then those above it (DER). */
  readonly caCertificates: readonly Buffer[];
  /** PBKDF2 and MAC iterations of the PKCS#12 protection. */
  readonly iterations: number;
}): CardEncoder {
  const { caCertificates, iterations } = options;
  return {
    generateKeyPair: (profile) => generateCardKeyPair(profile.keyAlgorithm),
    finishToken: (entries, pin) =>
      buildPkcs12({
        entries: entries.map((entry) => ({
          privateKeyPkcs8: entry.keyPair.privateKeyPkcs8,
          certificate: entry.certificate,
          friendlyName: entry.friendlyName,
        })),
        caCertificates,
        password: pin,
        iterations,
      }),
  };
}

/** What a worker makes once from its {@link WorkerInit} and reuses for every card. */
export interface ProductionContext {
  readonly issuer: CertificateIssuer;
  readonly pukCipher: PukCipher;
  readonly encoder: CardEncoder;
}

/**
 * Reads the CA certificate and key, and builds the issuer, the PUK cipher and the software
 * encoder. The CA signs on this thread's own key object, never on the runner's.
 *
 * @throws PkiError `ca.certificate_invalid`, `ca.key_unsupported`, `ca.key_mismatch`,
 * `ca.public_url_invalid`; ProductionError `production.puk_key_invalid`.
 */
export function createProductionContext(init: WorkerInit): ProductionContext {
  const ca = parseCaCertificate(bufferOf(init.caCertificate));
  let caKey: KeyObject;
  try {
    caKey = createPrivateKey({ key: bufferOf(init.caPrivateKey), format: "der", type: "pkcs8" });
  } catch (error) {
    throw new PkiError(
      "ca.key_unsupported",
      `The CA private key is not a DER PKCS#8 key: ${(error as Error).message}`,
    );
  }
  const issuer = createCertificateIssuer({
    ca,
    signer: threadSigner(caKey),
    publicBaseUrl: init.publicUrl,
  });
  return {
    issuer,
    pukCipher: createPukCipher(Buffer.from(init.pukKey)),
    encoder: createSoftwareEncoder({
      caCertificates: [ca.certificateDer, ...init.caChain.map(bufferOf)],
      iterations: init.pkcs12Iterations ?? 2048,
    }),
  };
}

/**
 * A {@link Signer} that signs synchronously on the calling thread. `createKeySigner` signs on
 * libuv's thread pool, which suits the main thread; a production worker has nothing else to do
 * meanwhile (it sat idle for a third of its time in a profile) and the hop to the pool, which
 * every file write of the process shares, comes on top. Signing in place made one worker ≈ 13 %
 * faster here. The key checks are `createKeySigner`'s own.
 */
function threadSigner(privateKey: KeyObject): Signer {
  const { keyAlgorithm, publicKey } = createKeySigner(privateKey);
  const { hash } = signatureAlgorithmFor(keyAlgorithm);
  const key = { key: privateKey, dsaEncoding: "der" as const };
  return { keyAlgorithm, publicKey, sign: async (data) => sign(hash, data, key) };
}

/** A card whose crypto is done, waiting for its page in each part. */
interface MadeCard {
  readonly index: number;
  readonly certificates: ChunkCertificate[];
  readonly token: Buffer;
  readonly pukEncrypted: string;
  readonly expiresAt: string;
  readonly face: CardFace;
  readonly letter: PinLetter;
  readonly cryptoMs: number;
  renderMs: number;
}

type Validity = { notBefore: Date; notAfter: Date } | { error: PkiError };

/**
 * Produces the chunk. A card that fails with a coded error (a {@link ProductionError} or a
 * {@link PkiError}: a name the fonts cannot print, a subject X.509 refuses, a bad photo) is
 * reported with its code, its reason and the certificates already signed for it, and has no
 * page in either part; the other cards go on. Anything else (a bug, a full disk) rejects the
 * whole chunk, which the runner can produce again.
 *
 * Both parts are written to `${path}.tmp`, synced and renamed, so a part file is complete or
 * absent. A chunk with no good card writes no part (and removes a part left by an earlier
 * attempt): `pages` is then 0.
 *
 * @throws ProductionError `production.options_invalid` for a job that cannot be produced at all.
 */
export async function produceChunk(context: ProductionContext, job: ChunkJob): Promise<ChunkResult> {
  checkJob(job);
  const validities = new Map<string, Validity>();
  const validityOf = (name: string, template: ChunkTemplate): Validity => {
    let validity = validities.get(name);
    if (!validity) {
      const notBefore = new Date(job.notBefore);
      const notAfter = new Date(notBefore.getTime() + template.validityDays * 86_400_000);
      try {
        validity = clampValidity(context.issuer.ca, notBefore, notAfter);
      } catch (error) {
        if (!isPkiError(error)) throw error;
        validity = { error };
      }
      validities.set(name, validity);
    }
    return validity;
  };

  // A card that fails before its pages gets its result here; a made card gets it after them.
  const results: (ChunkCardResult | undefined)[] = [];
  const made: MadeCard[] = [];
  for (const [index, card] of job.cards.entries()) {
    const started = performance.now();
    const template = job.templates[card.template]!;
    const certificates: ChunkCertificate[] = [];
    try {
      const validity = validityOf(card.template, template);
      if ("error" in validity) throw validity.error;
      const parts = await makeCard(context, job, card, template, validity, certificates);
      made.push({ index, ...parts, cryptoMs: performance.now() - started, renderMs: 0 });
      results.push(undefined);
    } catch (error) {
      results.push(failure(card, error, certificates, performance.now() - started));
    }
  }

  const { pages, failures } = await writeParts(job, made);
  for (const card of made) {
    const { cardId } = job.cards[card.index]!;
    const ms = card.cryptoMs + card.renderMs;
    const failed = failures.get(card.index);
    results[card.index] = failed
      ? failure(job.cards[card.index]!, failed, card.certificates, ms)
      : {
          cardId,
          ok: true,
          certificates: card.certificates,
          token: card.token,
          pukEncrypted: card.pukEncrypted,
          expiresAt: card.expiresAt,
          ms,
        };
  }
  return {
    batchId: job.batchId,
    chunk: job.chunk,
    cards: results.map((result) => result!),
    pages,
  };
}

/** Everything of one card but its pages. Pushes each certificate to `certificates` as it is signed. */
async function makeCard(
  context: ProductionContext,
  job: ChunkJob,
  card: ChunkCard,
  template: ChunkTemplate,
  validity: { notBefore: Date; notAfter: Date },
  certificates: ChunkCertificate[],
): Promise<Omit<MadeCard, "index" | "cryptoMs" | "renderMs">> {
  const { holder } = card;
  const face: CardFace = {
    cardNumber: card.cardNumber,
    firstName: holder.firstName,
    lastName: holder.lastName,
    organization: holder.organization ?? undefined,
    organizationalUnit: holder.organizationalUnit ?? undefined,
    title: holder.title ?? undefined,
    expiry: validity.notAfter,
    photo: card.photo ? bufferOf(card.photo) : undefined,
    layout: template.layout,
  };
  // Checked before anything is signed: a name the card cannot show costs no certificate.
  prepareCardFace(face, template.layout);

  const pin = generateDigits(job.pinLength);
  const puk = generateDigits(job.pukLength);
  const subject: CertificateSubject = {
    commonName: `${holder.firstName} ${holder.lastName}`.trim(),
    organization: holder.organization ?? undefined,
    organizationalUnit: holder.organizationalUnit ?? undefined,
    serialNumber: holder.identifier,
    email: holder.email || undefined,
    upn: holder.upn ?? undefined,
  };
  const subjectLine = subjectText(subject);
  const notBefore = validity.notBefore.toISOString();
  const notAfter = validity.notAfter.toISOString();
  const entries: TokenEntry[] = [];
  for (const profile of template.profiles) {
    const keyPair = context.encoder.generateKeyPair(profile);
    const serial = randomSerial();
    const der = await context.issuer.issue({
      serial,
      profile,
      subject,
      publicKey: keyPair.publicKeySpki,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
    });
    certificates.push({
      serial: serialToHex(serial),
      profile: profile.name,
      subject: subjectLine,
      der,
      notBefore,
      notAfter,
    });
    entries.push({ keyPair, certificate: der, friendlyName: profile.name });
  }
  const token = context.encoder.finishToken(entries, pin);
  return {
    certificates,
    token,
    pukEncrypted: context.pukCipher.encrypt(puk, card.cardId),
    expiresAt: notAfter,
    face,
    letter: {
      cardNumber: card.cardNumber,
      holder: {
        firstName: holder.firstName,
        lastName: holder.lastName,
        organization: holder.organization ?? undefined,
        addressLines: holder.addressLines,
      },
      pin,
      puk: job.pukPrinted ? puk : undefined,
      templateName: card.template,
      batchId: job.batchId,
    },
  };
}

/** A coded error becomes the card's failure; anything else is not the card's fault and fails the chunk. */
function failure(
  card: ChunkCard,
  error: unknown,
  certificates: ChunkCertificate[],
  ms: number,
): ChunkCardResult {
  if (!isProductionError(error) && !isPkiError(error)) throw error;
  return { cardId: card.cardId, ok: false, code: error.code, reason: error.message, certificates, ms };
}

/**
 * Writes each made card's face and letter, in order, to the two parts' `.tmp` files, then syncs
 * and renames them. A card refused by one writer after the other took its page (e.g. a face
 * whose photo cannot be read, whose letter was written) would leave a page of a failed card:
 * then both parts are written again without the refused cards. Only a card with pages in both
 * parts counts as made.
 */
async function writeParts(
  job: ChunkJob,
  made: MadeCard[],
): Promise<{ pages: number; failures: Map<number, ProductionError | PkiError> }> {
  const failures = new Map<number, ProductionError | PkiError>();
  // One date on every letter of the chunk, however often it is written.
  const date = new Date();
  let cards = made;
  try {
    if (cards.length === 0) {
      await discardPart(job.printFilePath);
      await discardPart(job.pinLettersPath);
      return { pages: 0, failures };
    }
    for (;;) {
      const pass = await writePartsOnce(job, cards, date);
      for (const [index, error] of pass.failures) failures.set(index, error);
      if (!pass.orphanPages) {
        const pages = cards.length - pass.failures.size;
        if (pages === 0) {
          await discardPart(job.printFilePath);
          await discardPart(job.pinLettersPath);
        } else {
          await commitParts([job.printFilePath, job.pinLettersPath]);
        }
        return { pages, failures };
      }
      cards = cards.filter((card) => !failures.has(card.index));
    }
  } catch (error) {
    await Promise.allSettled([
      rm(tmpPath(job.printFilePath), { force: true }),
      rm(tmpPath(job.pinLettersPath), { force: true }),
    ]);
    throw error;
  }
}

async function writePartsOnce(
  job: ChunkJob,
  cards: readonly MadeCard[],
  date: Date,
): Promise<{ failures: Map<number, ProductionError | PkiError>; orphanPages: boolean }> {
  const failures = new Map<number, ProductionError | PkiError>();
  let orphanPages = false;
  const firstTemplate = job.templates[job.cards[0]?.template ?? ""];
  // The part files hold PINs until the runner records them: readable by the owner only.
  const faces = createPrintFileWriter(createWriteStream(tmpPath(job.printFilePath), { mode: 0o600 }), {
    layout: firstTemplate?.layout ?? { title: "IDENTITY CARD", accentColor: "#1f4e79" },
    documentTitle: `Batch ${job.batchId} — card faces — part ${job.chunk}`,
  });
  const letters = createPinLetterWriter(createWriteStream(tmpPath(job.pinLettersPath), { mode: 0o600 }), {
    organizationName: job.organizationName,
    pukPrinted: job.pukPrinted,
    date,
    documentTitle: `Batch ${job.batchId} — PIN letters — part ${job.chunk}`,
  });
  const coded = (error: unknown) => {
    if (isProductionError(error) || isPkiError(error)) return error;
    throw error;
  };
  let unexpected: { error: unknown } | undefined;
  try {
    for (const card of cards) {
      const started = performance.now();
      try {
        await faces.addCard(card.face);
      } catch (error) {
        failures.set(card.index, coded(error));
        continue;
      }
      try {
        await letters.addLetter(card.letter);
      } catch (error) {
        failures.set(card.index, coded(error));
        orphanPages = true;
        continue;
      }
      card.renderMs = performance.now() - started;
    }
  } catch (error) {
    unexpected = { error };
  }
  // Both files are ended even after an unexpected error, so no descriptor is left open.
  const ended = await Promise.allSettled([faces.finish(), letters.finish()]);
  if (unexpected) throw unexpected.error;
  for (const outcome of ended) if (outcome.status === "rejected") throw outcome.reason;
  return { failures, orphanPages };
}

const tmpPath = (part: string) => `${part}.tmp`;

/** fsyncs each part's `.tmp`, renames it over the part, then fsyncs the folders so the renames last. */
async function commitParts(parts: readonly string[]): Promise<void> {
  for (const part of parts) {
    await syncPath(tmpPath(part));
    await rename(tmpPath(part), part);
  }
  for (const folder of new Set(parts.map((part) => path.dirname(part)))) await syncPath(folder);
}

async function syncPath(file: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** No page: no part. A part from an earlier attempt of this chunk is removed too. */
async function discardPart(part: string): Promise<void> {
  await rm(tmpPath(part), { force: true });
  await rm(part, { force: true });
}

function checkJob(job: ChunkJob): void {
  const invalid = (reason: string) => new ProductionError("production.options_invalid", reason);
  if (!Number.isInteger(job.pinLength) || job.pinLength < 4 || job.pinLength > 12) {
    throw invalid(`The PIN length must be an integer from 4 to 12, not ${job.pinLength}.`);
  }
  if (!Number.isInteger(job.pukLength) || job.pukLength < 8 || job.pukLength > 16) {
    throw invalid(`The PUK length must be an integer from 8 to 16, not ${job.pukLength}.`);
  }
  if (Number.isNaN(new Date(job.notBefore).getTime())) {
    throw invalid(`notBefore is not a valid time: ${job.notBefore}.`);
  }
  if (!job.printFilePath || !job.pinLettersPath || job.printFilePath === job.pinLettersPath) {
    throw invalid("The print-file and PIN-letter parts need two different paths.");
  }
  if (printableText(job.organizationName ?? "", "organization name") === "") {
    throw invalid("The organization name, the sender of the PIN letters, must not be empty.");
  }
  if (!Array.isArray(job.cards)) throw invalid("The job has no list of cards.");
  for (const card of job.cards) {
    const template = Object.hasOwn(job.templates, card.template) ? job.templates[card.template] : undefined;
    if (!template) {
      throw invalid(
        `Card ${card.cardId} names the template "${card.template}", which the job does not carry.`,
      );
    }
    if (template.profiles.length === 0) {
      throw invalid(`The template "${card.template}" has no certificate profile to issue.`);
    }
    if (!Number.isInteger(template.validityDays) || template.validityDays < 1) {
      throw invalid(`The template "${card.template}" has no valid number of validity days.`);
    }
  }
}

/** A Buffer over the same memory: structured clone turns Buffers into plain Uint8Arrays. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
