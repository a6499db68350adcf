/**
 * Helpers for the PKI tests: temporary folders, running OpenSSL and GnuTLS, test CAs and keys.
 * Not used by the library itself.
 */

import { spawnSync } from "node:child_process";
import { generateKeyPair, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { type CaIdentity, createCaCertificate, parseCaCertificate } from "./ca-certificate.js";
import { toPem } from "./pem.js";
import { createKeySigner, type Signer, spkiOf } from "./signer.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** The result of a command: never throws, so a test can assert on a failure's output. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for messages that tools print on either. */
  readonly output: string;
}

/** Runs a command in `cwd` and collects its output. */
export function run(command: string, args: readonly string[], cwd?: string): CommandResult {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.stdout + result.stderr,
  };
}

/** A temporary folder with helpers to write files into it; `remove()` deletes it. */
export function createWorkFolder(prefix = "tessera-pki-"): {
  dir: string;
  file(name: string): string;
  write(name: string, data: string | Uint8Array): string;
  writePem(name: string, der: Uint8Array, label: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = (name: string) => path.join(dir, name);
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(file(name), data);
    return file(name);
  };
  return {
    dir,
    file,
    write,
    writePem: (name, der, label) => write(name, toPem(der, label)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh key pair of a Tessera key algorithm. */
export async function generateTestKey(
  keyAlgorithm: KeyAlgorithm,
): Promise<{ privateKey: KeyObject; spki: Buffer }> {
  const { privateKey } =
    keyAlgorithm === "P-256" || keyAlgorithm === "P-384"
      ? await generateKeyPairAsync("ec", { namedCurve: keyAlgorithm })
      : await generateKeyPairAsync("rsa", { modulusLength: keyAlgorithm === "RSA-2048" ? 2048 : 3072 });
  return { privateKey, spki: spkiOf(privateKey) };
}

/** A test CA: its key, signer, certificate and identity. */
export interface TestCa {
  readonly privateKey: KeyObject;
  readonly signer: Signer;
  readonly certificateDer: Buffer;
  readonly ca: CaIdentity;
}

/** A self-signed CA valid from an hour ago for `validityYears` (default 10). */
export async function createTestCa(
  options: {
    keyAlgorithm?: KeyAlgorithm;
    subjectName?: string;
    validityYears?: number;
    notBefore?: Date;
  } = {},
): Promise<TestCa> {
  const { privateKey } = await generateTestKey(options.keyAlgorithm ?? "P-384");
  const signer = createKeySigner(privateKey);
  const certificateDer = await createCaCertificate({
    subjectName: options.subjectName ?? "CN=Tessera Test CA,O=Tessera",
    signer,
    notBefore: options.notBefore ?? new Date(Date.now() - 3600_000),
    validityYears: options.validityYears ?? 10,
  });
  return { privateKey, signer, certificateDer, ca: parseCaCertificate(certificateDer) };
}
