import { countRows } from "./count-rows.js";
import type { Db } from "./database.js";

/**
 * Where a CA key in a PKCS#11 token lives. The PIN is not here: only the name of the environment
 * variable that holds it.
 */
export interface CaKeyInToken {
  modulePath: string;
  tokenLabel: string;
  /** CKA_ID of the key pair, hex. */
  keyId: string;
  pinVariable: string;
}

export interface CaRecord {
  certificate: Buffer;
  /** The encrypted PKCS#8 PEM; null when the key is in a token ({@link keyInToken}). */
  privateKey: string | null;
  keyInToken: CaKeyInToken | null;
  chain: Buffer[];
  responderCertificate: Buffer;
  responderPrivateKey: string;
  responderNotAfter: string;
}

export async function findCaRecord(db: Db): Promise<CaRecord | undefined> {
  const row = await db.selectFrom("certificate_authority").selectAll().where("id", "=", 1).executeTakeFirst();
  return (
    row && {
      certificate: Buffer.from(row.certificate),
      privateKey: row.private_key,
      keyInToken: row.key_in_token === null ? null : readKeyInToken(row.key_in_token),
      chain: (JSON.parse(row.chain) as string[]).map((b64) => Buffer.from(b64, "base64")),
      responderCertificate: Buffer.from(row.responder_certificate),
      responderPrivateKey: row.responder_private_key,
      responderNotAfter: row.responder_not_after,
    }
  );
}

function readKeyInToken(json: string): CaKeyInToken {
  const { modulePath, tokenLabel, keyId, pinVariable } = JSON.parse(json) as Partial<CaKeyInToken>;
  if (![modulePath, tokenLabel, keyId, pinVariable].every((value) => typeof value === "string"))
    throw new Error(`certificate_authority.key_in_token is damaged: ${json}`);
  return { modulePath, tokenLabel, keyId, pinVariable } as CaKeyInToken;
}

/** Inserts the CA; false when another Tessera sharing the database was quicker. */
export async function insertCaRecord(db: Db, ca: CaRecord, at: string): Promise<boolean> {
  const result = await db
    .insertInto("certificate_authority")
    .values({
      id: 1,
      certificate: ca.certificate,
      private_key: ca.privateKey,
      key_in_token: ca.keyInToken === null ? null : JSON.stringify(ca.keyInToken),
      chain: JSON.stringify(ca.chain.map((c) => c.toString("base64"))),
      responder_certificate: ca.responderCertificate,
      responder_private_key: ca.responderPrivateKey,
      responder_not_after: ca.responderNotAfter,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function updateResponder(
  db: Db,
  responder: { certificate: Buffer; privateKey: string; notAfter: string },
  at: string,
): Promise<void> {
  await db
    .updateTable("certificate_authority")
    .set({
      responder_certificate: responder.certificate,
      responder_private_key: responder.privateKey,
      responder_not_after: responder.notAfter,
      updated_at: at,
    })
    .where("id", "=", 1)
    .execute();
}

export async function deleteCaRecord(db: Db): Promise<void> {
  await db.deleteFrom("certificate_authority").where("id", "=", 1).execute();
}

export async function countCertificates(db: Db): Promise<number> {
  return countRows(db.selectFrom("certificates"));
}
