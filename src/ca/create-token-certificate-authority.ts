import type { Clock } from "../domain/actor.js";
import { caKeyTypes } from "../domain/ca-key-types.js";
import { TesseraError } from "../domain/errors.js";
import { loadPkcs11Module, type Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import {
  createTokenSigner,
  deleteTokenKey,
  generateTokenCaKey,
  type TokenKey,
} from "../pkcs11/token-signer.js";
import { createCaCertificate, parseCaCertificate } from "../pki/index.js";
import {
  countCertificates,
  deleteCaRecord,
  findCaRecord,
  insertCaRecord,
} from "../store/certificate-authority.js";
import { deleteCrls } from "../store/crls.js";
import { type Db, type Store, transact } from "../store/database.js";
import { type CaSettings, caTokenPin, newResponder } from "./certificate-authority.js";

/**
 * The key types `tessera ca init --key-type` offers for a CA key in a token: those of
 * {@link caKeyTypes} but RSA-4096, which the token signer does not read yet (it takes keys up
 * to 3072 bits and signatures up to 384 bytes).
 */
export const tokenCaKeyTypes = { p384: caKeyTypes.p384, rsa3072: caKeyTypes.rsa3072 } as const;
export type TokenCaKeyType = keyof typeof tokenCaKeyTypes;

export interface TokenCaRequest {
  /** The PKCS#11 module (the HSM's library). */
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** The environment variable that holds the token's user PIN: recorded, unlike the PIN. */
  readonly pinVariable: string;
  readonly keyType: TokenCaKeyType;
}

/**
 * Refuses when a CA is in place that must stay: one whose key is in a token already, or one that
 * has issued certificates (they would be orphaned). The software CA a first start made on its
 * own, unused, gives way, as it does to `ca import`.
 */
async function assertInitAllowed(db: Db): Promise<void> {
  const existing = await findCaRecord(db);
  if (existing?.keyInToken)
    throw new TesseraError(
      "ca.init_not_allowed",
      `A CA exists already, its key in token "${existing.keyInToken.tokenLabel}" of ${existing.keyInToken.modulePath}: it is not replaced.`,
    );
  if (existing && (await countCertificates(db)) > 0)
    throw new TesseraError(
      "ca.init_not_allowed",
      "A CA exists already and has issued certificates, which a new CA would orphan: it is not replaced.",
    );
}

/**
 * `tessera ca init`: creates the CA's key pair in a PKCS#11 token (private key sensitive, not
 * extractable, sign only; CKA_ID = its key identifier), signs the self-signed CA certificate and
 * the OCSP responder's certificate there, and records the CA with where its key lives, never the
 * PIN. The OCSP responder's own key stays a software key, encrypted at rest as before: it signs
 * every OCSP answer, lives 30 days and is renewed by the CA in the token.
 *
 * @throws TesseraError `ca.init_not_allowed` (a CA to keep exists), `ca.token_pin_unset`,
 * `pkcs11.module_unavailable`, `pkcs11.token_not_found`, `pkcs11.pin_incorrect`.
 */
export async function createTokenCertificateAuthority(
  store: Store,
  request: TokenCaRequest,
  settings: CaSettings,
  clock: Clock,
): Promise<{ serial: string; keyId: string; tokenSerial: string }> {
  const pin = caTokenPin(settings, request.pinVariable);
  await assertInitAllowed(store.db);
  const module = loadPkcs11Module(request.modulePath);
  try {
    const keyAlgorithm = tokenCaKeyTypes[request.keyType];
    const generated = await generateTokenCaKey(module, {
      tokenLabel: request.tokenLabel,
      pin,
      keyAlgorithm,
      label: `${settings.name} key`,
    });
    const key: TokenKey = { tokenLabel: request.tokenLabel, pin, keyId: generated.keyId };
    try {
      const serial = await certifyAndRecord(store, module, key, request, settings, clock);
      return { serial, keyId: generated.keyId.toString("hex"), tokenSerial: generated.token.serial };
    } catch (error) {
      // A key whose CA was not recorded would only clutter the token.
      try {
        deleteTokenKey(module, key);
      } catch (cleanup) {
        throw new AggregateError(
          [error, cleanup],
          `${(error as Error).message} The new key (id ${key.keyId.toString("hex")}) could not be removed from the token: ${(cleanup as Error).message}`,
        );
      }
      throw error;
    }
  } finally {
    module.close();
  }
}

async function certifyAndRecord(
  store: Store,
  module: Pkcs11Module,
  key: TokenKey,
  request: TokenCaRequest,
  settings: CaSettings,
  clock: Clock,
): Promise<string> {
  const signer = createTokenSigner(module, key);
  try {
    const now = clock();
    const certificate = await createCaCertificate({
      subjectName: [{ type: "CN", value: settings.name }],
      signer,
      notBefore: now,
      validityYears: settings.validityYears,
    });
    const identity = parseCaCertificate(certificate);
    const responder = await newResponder(identity, signer, now, settings.keyPassphrase);
    await transact(store, async (trx) => {
      await assertInitAllowed(trx);
      if (await findCaRecord(trx)) await deleteCaRecord(trx);
      await deleteCrls(trx);
      await insertCaRecord(
        trx,
        {
          certificate,
          privateKey: null,
          keyInToken: {
            modulePath: request.modulePath,
            tokenLabel: request.tokenLabel,
            keyId: key.keyId.toString("hex"),
            pinVariable: request.pinVariable,
          },
          chain: [],
          responderCertificate: responder.certificate,
          responderPrivateKey: responder.privateKey,
          responderNotAfter: responder.notAfter,
        },
        now.toISOString(),
      );
    });
    return identity.serialHex;
  } finally {
    await signer.close();
  }
}
