/**
 * Driving the operator UI in Debian's Chromium against a real Tessera: the built UI, an
 * in-process server on SQLite with a fixed clock, and helpers to log in, scan and photograph.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { createTestApp, type TestApp, testPassword } from "../../src/test-support/test-app.js";
import { hasTool } from "../../src/test-support/tools.js";
import { createOperators } from "./fixtures.js";

const root = path.resolve(import.meta.dirname, "../..");
const webDir = path.join(root, "web");
export const webDist = path.join(webDir, "dist");
const builtIndex = path.join(webDist, "index.html");
export const screenshotDir = path.join(root, "artifacts/screenshots");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isBuildFresh(): boolean {
  return existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource(webDir);
}

/**
 * Builds web/dist when it is missing or older than web/'s sources. It must exist before the
 * server is built: Tessera registers the UI's files only if web/dist/index.html is there.
 * Test files run in parallel processes, so the build takes a lock (an atomic mkdir) and the
 * others wait for it rather than empty web/dist under a running server.
 */
export function ensureUiBuilt(): void {
  if (isBuildFresh()) return;
  const lock = path.join(root, "artifacts", ".web-build.lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isBuildFresh())
      execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
        cwd: root,
        stdio: "inherit",
        // Vitest sets NODE_ENV=test, which would make Vite build React's development bundle.
        env: { ...process.env, NODE_ENV: "production" },
      });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface UiServer {
  t: TestApp;
  baseUrl: string;
}

/** A real Tessera on a fresh SQLite file, listening on a free port of 127.0.0.1. */
export async function startTessera(): Promise<UiServer> {
  ensureUiBuilt();
  const t = await createTestApp("sqlite");
  await t.server.listen({ port: 0, host: "127.0.0.1" });
  // Background work as `tessera serve` runs it: CRL publication and the batch runner.
  t.app.start();
  const address = t.server.server.address();
  if (!address || typeof address === "string") throw new Error("the server has no TCP address");
  return { t, baseUrl: `http://127.0.0.1:${address.port}` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Tessera and the browser a suite of {@link describeInChromium} drives. */
export interface ChromiumSuite {
  ui: UiServer;
  browser: Browser;
  /** A fresh browser context ({@link openPage}) with `username` logged in ({@link logIn}). */
  openAs(username: string): Promise<Page>;
}

/**
 * A suite of tests that drive the UI in Chromium ({@link startTesseraInChromium}); where Chromium
 * is not installed it is skipped, or fails under CI (`hasTool`).
 */
export function describeInChromium(name: string, tests: (suite: ChromiumSuite) => void): void {
  describe.skipIf(!hasTool("chromium", "chromium"))(name, () => tests(startTesseraInChromium()));
}

/**
 * Starts Tessera with the demo operators, and Chromium, before the suite's tests, and stops both
 * after them. Read `ui` and `browser` inside the tests, once the suite has started.
 */
function startTesseraInChromium(): ChromiumSuite {
  const suite = {
    async openAs(username: string) {
      const page = await openPage(suite.browser);
      await logIn(page, suite.ui.baseUrl, username);
      return page;
    },
  } as ChromiumSuite;
  beforeAll(async () => {
    [suite.ui, suite.browser] = await Promise.all([startTessera(), launchChromium()]);
    await createOperators(suite.ui.t);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.ui?.t.close();
  });
  return suite;
}

/** A fresh browser context (own cookies) at a desktop size, with page errors failing the test. */
export async function openPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  pageErrors.set(page, errors);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Uncaught errors the page has thrown so far: a working UI throws none. */
export function errorsThrownBy(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

export async function logIn(
  page: Page,
  baseUrl: string,
  username: string,
  password = testPassword,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByRole("textbox", { name: "Password" }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => new URL(page.url()).pathname).not.toBe("/login");
  await page.getByTestId("operator-name").waitFor();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Log in" }).waitFor();
}

/** Follows a link of the main navigation, as an operator clicks it. */
export async function followMainNavigation(page: Page, linkName: string | RegExp): Promise<void> {
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: linkName })
    .click();
}

/** The figures the batch page shows (`batch-done`, `batch-total`, …), by the names `expected` gives. */
export async function batchFigures(
  page: Page,
  expected: Record<string, string>,
): Promise<Record<string, string>> {
  const shown: Record<string, string> = {};
  for (const name of Object.keys(expected))
    shown[name] = (await page.getByTestId(`batch-${name}`).textContent()) ?? "";
  return shown;
}

/**
 * Cancels the running batch its page shows, as an operator does: the dialog promises that the
 * cards in production are finished and those not started go back to approved, and once
 * confirmed the page says what happened, with the same figures.
 */
export async function cancelBatchOnItsPage(
  page: Page,
  cards: { inProduction: number; notStarted: number },
): Promise<void> {
  const { inProduction, notStarted } = cards;
  await page.getByRole("button", { name: "Cancel batch" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel the batch?" });
  await dialog.waitFor();
  const promise = await dialog.textContent();
  expect(promise).toContain(`The ${inProduction} cards in production are finished and will be produced.`);
  expect(promise).toContain(`The ${notStarted} cards not yet started go back to approved`);
  await dialog.getByRole("button", { name: "Cancel batch" }).click();
  await page
    .getByText(
      `${notStarted} cards not started went back to approved; ${inProduction} cards in production finish.`,
    )
    .waitFor();
}

/** The labels of the left navigation. */
export async function navigationLabels(page: Page): Promise<string[]> {
  const labels = page.getByRole("navigation", { name: "Main navigation" }).locator(".mantine-NavLink-label");
  await labels.first().waitFor();
  return (await labels.allTextContents()).map((text) => text.trim());
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns the serious and critical violations. The page's CSP
 * forbids inline scripts, so axe is evaluated through the DevTools protocol instead of a tag.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated source defined
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return (
      result.violations as {
        id: string;
        impact?: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[]
    ).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** A small PNG portrait (a blue gradient with a face-like disc), for the photo upload. */
export function portraitPng(width = 120, height = 150): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const inFace = (x - width / 2) ** 2 + (y - height * 0.42) ** 2 < (width * 0.28) ** 2;
      const inBody = y > height * 0.72 && Math.abs(x - width / 2) < width * 0.4;
      const offset = y * (width * 3 + 1) + 1 + x * 3;
      const [r, g, b] = inFace ? [236, 200, 170] : inBody ? [40, 70, 110] : [200 - y / 3, 215 - y / 4, 235];
      raw[offset] = r!;
      raw[offset + 1] = g!;
      raw[offset + 2] = b!;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
