import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as signWithKey,
  verify as verifySignature,
} from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { Db } from "./database.js";

/**
 * Signed checkpoints of the object history's head. The chain shows any entry changed, removed
 * or reordered, except at its end: whoever deletes the newest entries (or all of them) leaves
 * a shorter chain that still verifies. A checkpoint records how many entries the history held
 * and the MAC of its last entry, signed with an Ed25519 key kept outside the database, so a
 * database writer can neither forge one nor move one back. The newest is also kept in a file
 * in the data folder, so emptying both tables still shows on that machine.
 */
export interface AuditCheckpoint {
  at: string;
  entries: number;
  lastSeq: number;
  lastMac: string;
  /** Ed25519 signature, base64, over {@link checkpointMessage}. */
  signature: string;
}

/** Where a checkpoint was read from: the database table or the data folder's file. */
export type CheckpointSource = "database" | "file";

/** The signing side of the checkpoints: the Ed25519 key, from the 32-byte seed in the secrets. */
export interface CheckpointSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

// DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it.
const ed25519Pkcs8Prefix = Buffer.from("302e020100300506032b657004220420", "hex");

/** Makes the Ed25519 key pair from its 32-byte seed. */
export function createCheckpointSigner(seed: Buffer): CheckpointSigner {
  if (seed.length !== 32) throw new Error("the checkpoint key must be 32 bytes");
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: "der",
    type: "pkcs8",
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

// Versioned, one field a line: no field can run into the next.
function checkpointMessage(c: Omit<AuditCheckpoint, "signature">): Buffer {
  return Buffer.from(
    `tessera audit checkpoint v1\n${c.at}\n${c.entries}\n${c.lastSeq}\n${c.lastMac}`,
    "utf8",
  );
}

/** Signs a checkpoint of the history's head. */
export function signCheckpoint(
  signer: CheckpointSigner,
  head: Omit<AuditCheckpoint, "signature">,
): AuditCheckpoint {
  const signature = signWithKey(null, checkpointMessage(head), signer.privateKey).toString("base64");
  return { ...head, signature };
}

/** Whether the checkpoint was signed by this key, exactly as it reads. */
export function isCheckpointSigned(signer: CheckpointSigner, checkpoint: AuditCheckpoint): boolean {
  try {
    return verifySignature(
      null,
      checkpointMessage(checkpoint),
      signer.publicKey,
      Buffer.from(checkpoint.signature, "base64"),
    );
  } catch {
    return false;
  }
}

/** Stores a checkpoint; in the transaction that read the head it signs. */
export async function insertAuditCheckpoint(db: Db, checkpoint: AuditCheckpoint): Promise<void> {
  await db
    .insertInto("audit_checkpoints")
    .values({
      at: checkpoint.at,
      entries: checkpoint.entries,
      last_seq: checkpoint.lastSeq,
      last_mac: checkpoint.lastMac,
      signature: checkpoint.signature,
    })
    .execute();
}

/**
 * The newest stored checkpoint whose signature verifies. Rows that do not verify (forged, or
 * signed with an earlier key) are passed over: they confirm nothing.
 */
export async function findNewestSignedCheckpoint(
  db: Db,
  signer: CheckpointSigner,
): Promise<AuditCheckpoint | undefined> {
  let beforeId = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = await db
      .selectFrom("audit_checkpoints")
      .selectAll()
      .where("id", "<", beforeId)
      .orderBy("id", "desc")
      .limit(100)
      .execute();
    for (const row of rows) {
      const checkpoint: AuditCheckpoint = {
        at: row.at,
        entries: Number(row.entries),
        lastSeq: Number(row.last_seq),
        lastMac: row.last_mac,
        signature: row.signature,
      };
      if (isCheckpointSigned(signer, checkpoint)) return checkpoint;
      beforeId = Number(row.id);
    }
    if (rows.length < 100) return undefined;
  }
}

const checkpointFileSchema = z.object({
  at: z.string(),
  entries: z.int().min(0),
  lastSeq: z.int(),
  lastMac: z.string(),
  signature: z.string(),
});

/**
 * The checkpoint kept in the data folder, when there is one that reads and whose signature
 * verifies. A damaged file confirms nothing, like a checkpoint row that does not verify.
 */
export function readCheckpointFile(file: string, signer: CheckpointSigner): AuditCheckpoint | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: z.infer<typeof checkpointFileSchema>;
  try {
    parsed = checkpointFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
  return isCheckpointSigned(signer, parsed) ? parsed : undefined;
}

/** Replaces the checkpoint file at once (write aside, then rename), readable by its owner only. */
export function writeCheckpointFile(file: string, checkpoint: AuditCheckpoint): void {
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
  // The umask may have narrowed the mode, never widened it; a file left by an older copy may be wider.
  chmodSync(aside, 0o600);
  renameSync(aside, file);
}
