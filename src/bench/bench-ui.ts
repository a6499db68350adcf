import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { TesseraError } from "../domain/errors.js";
import { buildServer } from "../http/server.js";
import { insertBenchHolders } from "../store/bench-holders.js";
import { findOperatorByUsername, updateOperator } from "../store/operators.js";
import { benchLog } from "./bench-app.js";
import { percentile } from "./measure.js";

/**
 * `npm run bench -- ui [--size N]`: in Debian's Chromium, the BATCH ORDERS search with N
 * approved cards (100,000 by default): from the click on Search to the first page of results
 * on screen, ten times. Needs playwright-core (a development dependency) and /usr/bin/chromium.
 */
export async function benchUiCommand({ size }: { size: number }) {
  let chromium: typeof import("playwright-core").chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    throw new TesseraError(
      "cli.usage",
      "bench ui needs playwright-core: run npm install (with development dependencies)",
    );
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-ui-"));
  const password = "bench administrator password";
  const app = await createApp(
    loadConfig({
      env: { TESSERA_DATA_DIR: dataDir, TESSERA_ADMIN_PASSWORD: password, TESSERA_DEMO: "false" },
    }),
    { log: benchLog("warn") },
  );
  const server = await buildServer(app);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    await insertBenchHolders(app.services.store, size);
    const baseUrl = await server.listen({ port: 0, host: "127.0.0.1" });
    const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
    await updateOperator(
      app.services.store.db,
      admin.id,
      { roles: ["productionAdministrator", "administrator"] },
      new Date().toISOString(),
    );
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByRole("textbox", { name: "Username" }).fill("admin");
    await page.getByRole("textbox", { name: "Password" }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("operator-name").waitFor();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      await page.goto(`${baseUrl}/batch-orders/issue-multiple-cards`);
      const search = page.getByRole("button", { name: "Search", exact: true });
      await search.waitFor();
      const started = performance.now();
      await search.click();
      await page
        .getByRole("checkbox", { name: /^Select card / })
        .first()
        .waitFor();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      benchmark: "ui",
      approvedCards: size,
      searchToFirstPageMs: { p50: Math.round(percentile(times, 50)), max: Math.round(times.at(-1)!) },
      target: "<= 300 ms",
    };
  } finally {
    await browser.close();
    await server.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
