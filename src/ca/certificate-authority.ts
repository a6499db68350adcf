import { createPublicKey, type webcrypto } from "node:crypto";
import type { Clock } from "../domain/actor.js";
import { type CaKeyType, caKeyTypeOf, caKeyTypes, defaultCaKeyType } from "../domain/ca-key-types.js";
import { TesseraError } from "../domain/errors.js";
import { loadPkcs11Module } from "../pkcs11/pkcs11-module.js";
import { type CaTokenAccess, createTokenSigner } from "../pkcs11/token-signer.js";
import {
  type CaIdentity,
  type CertificateIssuer,
  createCaCertificate,
  createCertificateIssuer,
  createKeySigner,
  createOcspSigningCertificate,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  newSerial,
  type OcspResponderKey,
  parseCaCertificate,
  type Signer,
  toNonExtractableKey,
  toPem,
} from "../pki/index.js";
import {
  type CaKeyInToken,
  type CaRecord,
  findCaRecord,
  insertCaRecord,
  updateResponder,
} from "../store/certificate-authority.js";
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
  /**
   * When the CA key lives in a PKCS#11 token: what a production worker needs to open its own
   * session on it (the module the main thread has initialised, the token, the key id, the PIN).
   */
  readonly workerToken: CaTokenAccess | undefined;
  /** The delegated OCSP responder; renewed by {@link renewResponderIfDue}. */
  responder(): OcspResponderKey;
  renewResponderIfDue(): Promise<void>;
  /** Closes the token's session and finalises its module (nothing to do for a key in memory). */
  close(): Promise<void>;
}

export interface CaSettings {
  name: string;
  validityYears: number;
  publicUrl: string;
  keyPassphrase: string;
  /**
   * The key type of the CA a first start creates (`TESSERA_CA_KEY_TYPE`, `ca.keyType`); left
   * out: {@link defaultCaKeyType}. A CA that exists keeps its key (see {@link caKeyTypeIgnored}).
   */
  keyType?: CaKeyType | undefined;
  /**
   * The PIN in the environment variable of this name, for a CA key in a PKCS#11 token
   * (`Config.secrets.caTokenPin`).
   */
  tokenPin?: ((variable: string) => string | undefined) | undefined;
}

const day = 24 * 60 * 60 * 1000;
/** A no-check responder certificate cannot be revoked usefully: keep it short (RFC 6960 §4.2.2.2.1). */
const responderValidityDays = 30;
const responderRenewBeforeDays = 7;

/**
 * A fresh delegated OCSP responder: a key of the CA's own key type, so that a relying party that
 * can check the CA's signatures can check the responder's too (an RSA CA has an RSA responder),
 * and a short certificate for it signed by the CA.
 */
export async function newResponder(identity: CaIdentity, caSigner: Signer, now: Date, passphrase: string) {
  const privateKey = await generateSigningKey(identity.keyAlgorithm);
  const publicKey = createPublicKey(privateKey);
  const notAfter = new Date(
    Math.min(now.getTime() + responderValidityDays * day, identity.notAfter.getTime()),
  );
  const certificate = await createOcspSigningCertificate({
    ca: identity,
    caSigner,
    responderPublicKey: publicKey.export({ type: "spki", format: "der" }),
    serial: newSerial(),
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
 * Loads the CA from the database, or creates it on first start: a key of the settings' key type
 * (ECDSA P-384 unless set; stored encrypted), a self-signed certificate, and a delegated OCSP
 * responder. Several Tessera processes sharing one PostgreSQL agree on one CA: the first insert
 * wins, the others load it.
 */
export async function loadCertificateAuthority(
  store: Store,
  settings: CaSettings,
  clock: Clock,
): Promise<CertificateAuthority> {
  let record = await findCaRecord(store.db);
  if (!record) {
    const now = clock();
    const key = await generateSigningKey(caKeyTypes[settings.keyType ?? defaultCaKeyType]);
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
        keyInToken: null,
        chain: [],
        responderCertificate: responder.certificate,
        responderPrivateKey: responder.privateKey,
        responderNotAfter: responder.notAfter,
      },
      now.toISOString(),
    );
    record = (await findCaRecord(store.db))!;
  }
  const [opened, decrypted] = await Promise.allSettled([
    openCaKey(record, settings),
    decryptPrivateKey(record.responderPrivateKey, settings.keyPassphrase),
  ]);
  if (opened.status === "rejected") throw opened.reason;
  const caKey = opened.value;
  let issuer: CertificateIssuer;
  let identity: CaIdentity;
  try {
    if (decrypted.status === "rejected") throw decrypted.reason;
    identity = parseCaCertificate(record.certificate);
    // Also checks that the signer holds the certificate's key (a token's key may be another).
    issuer = createCertificateIssuer({
      ca: identity,
      signer: caKey.signer,
      publicBaseUrl: settings.publicUrl,
    });
  } catch (error) {
    await caKey.close();
    throw error;
  }
  const { signer } = caKey;
  let responder: OcspResponderKey = {
    certificateDer: record.responderCertificate,
    signer: createKeySigner(decrypted.value),
  };
  let responderNotAfter = Date.parse(record.responderNotAfter);
  const chain = record.chain;
  /**
   * The renewal under way. Every OCSP request asks for a renewal when one is due, and a new key
   * takes a while (seconds for RSA-4096): the requests meanwhile wait for that one renewal
   * rather than each making a responder of its own.
   */
  let renewing: Promise<void> | undefined;
  async function renewResponder(): Promise<void> {
    const now = clock();
    // Another Tessera may have renewed it already: take theirs if it is fresh.
    const stored = await findCaRecord(store.db);
    if (stored && Date.parse(stored.responderNotAfter) - now.getTime() > responderRenewBeforeDays * day) {
      responder = {
        certificateDer: stored.responderCertificate,
        signer: createKeySigner(await decryptPrivateKey(stored.responderPrivateKey, settings.keyPassphrase)),
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
  }
  return {
    identity,
    signer,
    issuer,
    chain,
    workerKey: caKey.workerKey,
    workerToken: caKey.workerToken,
    close: caKey.close,
    chainPem: [record.certificate, ...chain].map((der) => toPem(der, "CERTIFICATE")).join(""),
    responder: () => responder,
    async renewResponderIfDue() {
      if (responderNotAfter - clock().getTime() > responderRenewBeforeDays * day) return;
      renewing ??= renewResponder().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
  };
}

/**
 * The warning for a CA key type setting that the CA in use does not have, or undefined when it
 * has it or none was set. The setting decides only the key of a CA Tessera creates: a CA that
 * exists keeps its key, since a new one would orphan every certificate the old one signed.
 */
export function caKeyTypeIgnored(identity: CaIdentity, keyType: CaKeyType | undefined): string | undefined {
  if (keyType === undefined || caKeyTypeOf(identity.keyAlgorithm) === keyType) return undefined;
  return `The CA key type is set to ${keyType} (TESSERA_CA_KEY_TYPE or ca.keyType), but the CA in use, ${identity.serialHex}, has ${identity.keyAlgorithm.startsWith("RSA") ? "an" : "a"} ${identity.keyAlgorithm} key: the setting applies only when Tessera creates its CA at first start, so this CA stays as it is. To change the key type, install another CA with tessera ca import before it issues certificates.`;
}

/** The CA key as the CA uses it: its signer, what the production workers get, how to let go of it. */
interface CaKey {
  readonly signer: Signer;
  readonly workerKey: webcrypto.CryptoKey | undefined;
  readonly workerToken: CaTokenAccess | undefined;
  close(): Promise<void>;
}

/**
 * The CA's key: decrypted from the record, or, when it lives in a token, a session on that token
 * through the module the record names, logged in with the PIN from the variable it names.
 * Loading the module here, on the main thread, initialises it before any production worker
 * loads it.
 *
 * @throws TesseraError `ca.token_pin_unset`, `pkcs11.module_unavailable`,
 * `pkcs11.token_not_found`, `pkcs11.pin_incorrect`, `pkcs11.key_not_found`, `ca.key_decrypt_failed`.
 */
async function openCaKey(record: CaRecord, settings: CaSettings): Promise<CaKey> {
  if (record.keyInToken) return openTokenCaKey(record.keyInToken, settings);
  if (!record.privateKey)
    throw new Error("The CA record holds neither a private key nor the token that holds it.");
  const key = await decryptPrivateKey(record.privateKey, settings.keyPassphrase);
  return {
    signer: createKeySigner(key),
    workerKey: await toNonExtractableKey(key),
    workerToken: undefined,
    close: async () => undefined,
  };
}

/** The PIN of the CA's token, from the environment variable `variable`. */
export function caTokenPin(settings: Pick<CaSettings, "tokenPin">, variable: string): string {
  const pin = settings.tokenPin?.(variable);
  if (pin === undefined)
    throw new TesseraError(
      "ca.token_pin_unset",
      `The CA key is in a PKCS#11 token, and ${variable}, the environment variable that holds its PIN, is not set: set it and start Tessera again.`,
      { variable },
    );
  return pin;
}

function openTokenCaKey(where: CaKeyInToken, settings: CaSettings): CaKey {
  const pin = caTokenPin(settings, where.pinVariable);
  const module = loadPkcs11Module(where.modulePath);
  try {
    const signer = createTokenSigner(module, {
      tokenLabel: where.tokenLabel,
      pin,
      keyId: Buffer.from(where.keyId, "hex"),
    });
    return {
      signer,
      workerKey: undefined,
      workerToken: { modulePath: where.modulePath, tokenLabel: where.tokenLabel, keyId: where.keyId, pin },
      async close() {
        await signer.close();
        module.close();
      },
    };
  } catch (error) {
    module.close();
    throw error;
  }
}
