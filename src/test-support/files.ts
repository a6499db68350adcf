import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A fresh temporary folder, and a way to write a file into it that returns the file's path. */
export function createScratchFolder(prefix: string): {
  dir: string;
  file(name: string, content: string | Buffer): string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    file(name, content) {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}
