/**
 * The operator UI's first load stays small: the JavaScript index.html loads at once (its entry
 * script and the chunks Vite preloads with it) is at most 300 kB gzipped. Every page is a
 * chunk of its own (React.lazy), fetched when it is opened.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ensureUiBuilt, webDist } from "./support.js";

/** The scripts index.html loads before the first page shows, with their gzipped sizes. */
function initialScripts(): { file: string; gzipBytes: number }[] {
  const html = readFileSync(path.join(webDist, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ].map((match) => match[1]!);
  return files.map((file) => ({
    file,
    gzipBytes: gzipSync(readFileSync(path.join(webDist, file)), { level: 9 }).length,
  }));
}

describe("the operator UI bundle", () => {
  it("loads at most 300 kB of gzipped JavaScript before the first page", () => {
    ensureUiBuilt();
    const scripts = initialScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, s) => sum + s.gzipBytes, 0);
    console.info(`initial JavaScript: ${(total / 1000).toFixed(1)} kB gzipped in ${scripts.length} files`);
    expect(total).toBeLessThanOrEqual(300_000);
  });
});
