import { createPublicKey, type webcrypto } from "node:crypto";
import type { Clock } from "../domain/actor.js";
import {
  type CaIdentity,
  type CertificateIssuer,
  createCaCertificate,
  createCertificateIssuer,
  createKeySigner,
  createOcspSigningCertificate,
  decryptPrivateKey,
  encryptPrivateKey,
  generateCaKey,
  generateEcPrivateKey,
  type OcspResponderKey,
  parseCaCertificate,
  randomSerial,
  type Signer,
  toNonExtractableKey,
  toPem,
} from "../pki/index.js";
import { findCaRecord, insertCaRecord, updateResponder } from "../store/certificate-authority.js";
import type { Store } from "../store/database.js";

/** The CA in use: its identity, the signer behind its key, its issuer and its OCSP responder. */
export interface CertificateAuthority {
  readonly identity: CaIdentity;
  readonly signer: Signer;
  readonly issuer: CertificateIssuer;
  /** Certificates above this CA when it is a subordinate of the office's own root, nearest first. */
  readonly chain: readonly Buffer[];
  /** The CA certificate and its chain, PEM. */
  readonly chainPem: string;
  /**
   * The CA key as a non-extractable WebCrypto key, for the production workers that sign card
   * certificates on their own threads (see `createThreadSigner`): they can sign with it but not
   * export it. Undefined when the key lives in a PKCS#11 token.
   */
  readonly workerKey: webcrypto.CryptoKey | undefined;
  /** The delegated OCSP responder; renewed by {@link renewResponderIfDue}. */
  responder(): OcspResponderKey;
  renewResponderIfDue(): Promise<void>;
}

export interface CaSettings {
  name: string;
  validityYears: number;
  publicUrl: string;
  keyPassphrase: string;
}

const day = 24 * 60 * 60 * 1000;
/** A no-check responder certificate cannot be revoked usefully: keep it short (RFC 6960 §4.2.2.2.1). */
const responderValidityDays = 30;
const responderRenewBeforeDays = 7;

export async function newResponder(identity: CaIdentity, caSigner: Signer, now: Date, passphrase: string) {
  const privateKey = generateEcPrivateKey("P-256");
  const publicKey = createPublicKey(privateKey);
  const notAfter = new Date(
    Math.min(now.getTime() + responderValidityDays * day, identity.notAfter.getTime()),
  );
  const certificate = await createOcspSigningCertificate({
    ca: identity,
    caSigner,
    responderPublicKey: publicKey.export({ type: "spki", format: "der" }),
    serial: randomSerial(),
    notBefore: now,
    notAfter,
  });
  return {
    certificate,
    privateKey: await encryptPrivateKey(privateKey, passphrase),
    key: { certificateDer: certificate, signer: createKeySigner(privateKey) } satisfies OcspResponderKey,
    notAfter: notAfter.toISOString(),
  };
}

/**
 * Loads the CA from the database, or creates it on first start: an ECDSA P-384 key (stored
 * encrypted), a self-signed certificate, and a delegated OCSP responder. Several Tessera
 * processes sharing one PostgreSQL agree on one CA: the first insert wins, the others load it.
 */
export async function loadCertificateAuthority(
  store: Store,
  settings: CaSettings,
  clock: Clock,
): Promise<CertificateAuthority> {
  let record = await findCaRecord(store.db);
  if (!record) {
    const now = clock();
    const key = generateCaKey();
    const signer = createKeySigner(key);
    const certificate = await createCaCertificate({
      subjectName: [{ type: "CN", value: settings.name }],
      signer,
      notBefore: now,
      validityYears: settings.validityYears,
    });
    const responder = await newResponder(
      parseCaCertificate(certificate),
      signer,
      now,
      settings.keyPassphrase,
    );
    await insertCaRecord(
      store.db,
      {
        certificate,
        privateKey: await encryptPrivateKey(key, settings.keyPassphrase),
        chain: [],
        responderCertificate: responder.certificate,
        responderPrivateKey: responder.privateKey,
        responderNotAfter: responder.notAfter,
      },
      now.toISOString(),
    );
    record = (await findCaRecord(store.db))!;
  }
  if (!record.privateKey)
    throw new Error("The CA's key is in a PKCS#11 token, which this start is not configured for.");
  const [caKey, responderKey] = await Promise.all([
    decryptPrivateKey(record.privateKey, settings.keyPassphrase),
    decryptPrivateKey(record.responderPrivateKey, settings.keyPassphrase),
  ]);
  const identity = parseCaCertificate(record.certificate);
  const signer = createKeySigner(caKey);
  let responder: OcspResponderKey = {
    certificateDer: record.responderCertificate,
    signer: createKeySigner(responderKey),
  };
  let responderNotAfter = Date.parse(record.responderNotAfter);
  const chain = record.chain;
  return {
    identity,
    signer,
    issuer: createCertificateIssuer({ ca: identity, signer, publicBaseUrl: settings.publicUrl }),
    chain,
    workerKey: await toNonExtractableKey(caKey),
    chainPem: [record.certificate, ...chain].map((der) => toPem(der, "CERTIFICATE")).join(""),
    responder: () => responder,
    async renewResponderIfDue() {
      const now = clock();
      if (responderNotAfter - now.getTime() > responderRenewBeforeDays * day) return;
      // Another Tessera may have renewed it already: take theirs if it is fresh.
      const stored = await findCaRecord(store.db);
      if (stored && Date.parse(stored.responderNotAfter) - now.getTime() > responderRenewBeforeDays * day) {
        responder = {
          certificateDer: stored.responderCertificate,
          signer: createKeySigner(
            await decryptPrivateKey(stored.responderPrivateKey, settings.keyPassphrase),
          ),
        };
        responderNotAfter = Date.parse(stored.responderNotAfter);
        return;
      }
      const fresh = await newResponder(identity, signer, now, settings.keyPassphrase);
      await updateResponder(
        store.db,
        { certificate: fresh.certificate, privateKey: fresh.privateKey, notAfter: fresh.notAfter },
        now.toISOString(),
      );
      responder = fresh.key;
      responderNotAfter = Date.parse(fresh.notAfter);
    },
  };
}
