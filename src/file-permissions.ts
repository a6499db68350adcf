import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** A file or folder that others than its owner may read, write or enter. */
export interface LooseFile {
  readonly path: string;
  /** Its permission bits, e.g. 0o644. */
  readonly mode: number;
  /** What it should be: 0o700 for a folder, 0o600 for a file. */
  readonly wanted: number;
}

/** Files in the data folder that hold nothing secret: the configuration an operator edits. */
const publicFiles = new Set(["tessera.json"]);

/**
 * The data folder and everything in it (the database and its -wal/-shm, the secrets, the
 * audit checkpoint, the batches' work files) that grants any permission to group or others:
 * it holds tokens, unpurged PIN letters, password hashes and personal data. The configuration
 * file is left alone. Extra paths (a database file kept outside the data folder) are checked
 * too. On Windows, where modes mean little, nothing is reported.
 */
export function findLooseFiles(dataDir: string, extraFiles: readonly string[] = []): LooseFile[] {
  if (process.platform === "win32") return [];
  const loose: LooseFile[] = [];
  const seen = new Set<string>();
  const check = (file: string, depth: number) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const stat = statSync(file);
    const mode = stat.mode & 0o777;
    if (stat.isDirectory()) {
      if (mode & 0o077) loose.push({ path: file, mode, wanted: 0o700 });
      // The work folder holds a folder per batch; deeper than that Tessera writes nothing.
      if (depth < 3) for (const name of readdirSync(file).sort()) check(path.join(file, name), depth + 1);
    } else if (stat.isFile() && mode & 0o077 && !(depth === 1 && publicFiles.has(path.basename(file))))
      loose.push({ path: file, mode, wanted: 0o600 });
  };
  check(path.resolve(dataDir), 0);
  for (const file of extraFiles)
    for (const suffix of ["", "-wal", "-shm"]) check(path.resolve(file + suffix), 3);
  return loose;
}

/** "0644" */
export const formatMode = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;
