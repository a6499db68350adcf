import { createPrivateKey, type KeyObject } from "node:crypto";
import type { Clock } from "../domain/actor.js";
import { TesseraError } from "../domain/errors.js";
import { checkCaCertificate, createKeySigner, encryptPrivateKey, fromPem } from "../pki/index.js";
import {
  countCertificates,
  deleteCaRecord,
  findCaRecord,
  insertCaRecord,
} from "../store/certificate-authority.js";
import { deleteCrls } from "../store/crls.js";
import { type Store, transact } from "../store/database.js";
import { type CaSettings, newResponder } from "./certificate-authority.js";

/**
 * Installs an existing CA (`tessera ca import --cert ca.pem --key key.pem`), typically a
 * subordinate of the office's own root: the first certificate in `certificatePem` is the CA,
 * any that follow are its chain, served with it. Only before any certificate was issued: the
 * certificates of one CA must not be orphaned by another.
 */
export async function importCertificateAuthority(
  store: Store,
  input: { certificatePem: string; keyPem: string; keyPassphrase?: string | undefined },
  settings: CaSettings,
  clock: Clock,
): Promise<{ serial: string; chainLength: number }> {
  const blocks = [
    ...input.certificatePem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g),
  ].map((m) => fromPem(m[0], "CERTIFICATE")!);
  const [certificate, ...chain] = blocks;
  if (!certificate)
    throw new TesseraError("ca.certificate_invalid", "The certificate file holds no PEM CERTIFICATE.");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: input.keyPem, format: "pem", passphrase: input.keyPassphrase });
  } catch (error) {
    throw new TesseraError(
      "ca.key_decrypt_failed",
      `The private key cannot be read: ${(error as Error).message}.`,
    );
  }
  const now = clock();
  const check = checkCaCertificate({ certificate, privateKey: key, now });
  if (!check.valid) throw new TesseraError(check.code, check.reason);

  return transact(store, async (trx) => {
    if ((await countCertificates(trx)) > 0) throw new TesseraError("ca.import_not_allowed");
    const responder = await newResponder(check.ca, createKeySigner(key), now, settings.keyPassphrase);
    if (await findCaRecord(trx)) await deleteCaRecord(trx);
    await deleteCrls(trx);
    await insertCaRecord(
      trx,
      {
        certificate,
        privateKey: await encryptPrivateKey(key, settings.keyPassphrase),
        keyInToken: null,
        chain,
        responderCertificate: responder.certificate,
        responderPrivateKey: responder.privateKey,
        responderNotAfter: responder.notAfter,
      },
      now.toISOString(),
    );
    return { serial: check.ca.serialHex, chainLength: chain.length };
  });
}
