import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const cli = path.resolve("dist/cli/main.js");
const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-cli-"));
const env = { ...process.env, TESSERA_DATA_DIR: dataDir, LOG_LEVEL: "silent", TESSERA_ADMIN_PASSWORD: "" };
const tessera = (args: string[], extraEnv: Record<string, string> = {}) =>
  spawnSync("node", [cli, ...args], { env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("tessera command line", () => {
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serve: prints the URL and the first administrator's login once, with demo data behind it", async () => {
    const port = await freePort();
    server = spawn("node", [cli, "serve", "--port", String(port)], { env: { ...env, LOG_LEVEL: "info" } });
    let out = "";
    server.stdout!.on("data", (chunk) => {
      out += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 30 s: ${out}`)), 30_000);
      server!.stdout!.on("data", () => {
        if (out.includes("Demo data")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(out).toContain(`Tessera is running at http://localhost:${port}`);
    // The URL and the login stand in a box, so they are found among the log lines.
    expect(out).toMatch(/┌─+┐\n│ Tessera is running at [^\n]+ │\n│ First administrator: admin \/ /);
    const password = /admin \/ (\S+)/.exec(out)![1]!;
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "approver", password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const approved = await fetch(`http://127.0.0.1:${port}/api/v1/cards?state=approved&limit=1`, {
      headers: { cookie },
    });
    // 140 approved, of which a demo batch produced 40 Employee IDs.
    expect(((await approved.json()) as { total: number }).total).toBe(100);
    for (const state of [
      "requested",
      "rejected",
      "aborted",
      "issued",
      "active",
      "inactive",
      "locked",
      "failed",
    ]) {
      const page = await fetch(`http://127.0.0.1:${port}/api/v1/cards?state=${state}&limit=1`, {
        headers: { cookie },
      });
      expect(((await page.json()) as { total: number }).total, state).toBeGreaterThan(0);
    }
    const get = async <T>(url: string) =>
      (await fetch(`http://127.0.0.1:${port}${url}`, { headers: { cookie } })).json() as Promise<T>;
    // The one failed card failed on its holder's name, which the card page says how to mend.
    const { items: failed } = await get<{ items: { id: string }[] }>("/api/v1/cards?state=failed");
    expect(failed).toHaveLength(1);
    const failedCard = await get<{ reason: string; holderUnfitForCard: { path: string }[] }>(
      `/api/v1/cards/${failed[0]!.id}`,
    );
    expect(failedCard.reason).toContain("give a shorter name on card");
    expect(failedCard.holderUnfitForCard).toEqual([expect.objectContaining({ path: "nameOnCard" })]);
    // Long-standing holders' cards end within 30 and within 90 days: the dashboard's expiry
    // figures and Renew multiple cards have something to show at the first login.
    const expiring = await get<{ templates: { expiring: { days: number; count: number }[] }[] }>(
      "/api/v1/cards/expiring",
    );
    const within = (days: number) =>
      expiring.templates.reduce((sum, t) => sum + (t.expiring.find((w) => w.days === days)?.count ?? 0), 0);
    expect([within(30), within(90)]).toEqual([6, 12]);
    const ending = await get<{ items: { state: string; expiresAt: string }[] }>(
      `/api/v1/cards?expiresBefore=${new Date(Date.now() + 91 * 86_400_000).toISOString()}&limit=50`,
    );
    expect(ending.items.map((card) => card.state)).toEqual(new Array(12).fill("active"));
    // Demo users carry a UPN and a SID, so the demo's Employee ID cards are ready for Windows logon.
    const { items: users } = await get<{ items: { upn: string; sid: string }[] }>("/api/v1/users?limit=5");
    for (const user of users) {
      expect(user.upn).toMatch(/^[^@\s]+@demo\.tessera\.example$/);
      expect(user.sid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    }
    const { items: certificates } = await get<{ items: { serial: string; profile: string }[] }>(
      "/api/v1/certificates?state=valid&limit=20",
    );
    const authentication = certificates.find((certificate) => certificate.profile === "authentication")!;
    const { pem } = await get<{ pem: string }>(`/api/v1/certificates/${authentication.serial}`);
    const text = execFileSync("openssl", ["x509", "-noout", "-text"], { input: pem, encoding: "utf8" });
    expect(text).toMatch(/othername: UPN::[^@\s]+@demo\.tessera\.example/);
    expect(text).toContain("1.3.6.1.4.1.311.25.2:");
    // Not in a terminal, each answered request is one JSON line at info level, for collectors.
    expect(out).toMatch(
      /"level":30,[^\n]*"method":"GET","url":"\/api\/v1\/cards\?state=approved&limit=1","statusCode":200/,
    );
    server.kill("SIGTERM");
    await new Promise((resolve) => server!.once("exit", resolve));
    server = undefined;
  });

  it("operators create: makes an operator and prints a generated password; refuses unknown roles", () => {
    const ok = tessera(["operators", "create", "--username", "carol", "--roles", "approver,helpdesk"]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Operator carol created with roles approver, helpdesk\.\nPassword: \S{16}/);
    const bad = tessera(["operators", "create", "--username", "dave", "--roles", "wizard"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown role wizard");
  });

  it("users import: creates the good rows, lists the bad ones by line, exits non-zero", () => {
    const file = path.join(dataDir, "people.csv");
    writeFileSync(
      file,
      "firstName,lastName,email,identifier\nIna,Ivarsson,ina@example.org,CLI-1\nJo,,jo@example.org,CLI-2\n",
    );
    const result = tessera(["users", "import", file, "--operator", "registrar"]);
    expect(result.stdout).toBe("1 users created.\nline 3: lastName: required\n");
    expect(result.status).toBe(1);
    expect(tessera(["users", "import", path.join(dataDir, "missing.csv")]).stderr).toContain("cannot read");
  });

  it("audit verify: exit 0 on an intact chain, 1 naming the entry after tampering", () => {
    const ok = tessera(["audit", "verify"]);
    expect([ok.status, ok.stdout]).toEqual([
      0,
      expect.stringMatching(/^The object history is intact: \d+ entries verified/),
    ]);
    const db = new Database(path.join(dataDir, "tessera.sqlite"));
    db.prepare("update audit_log set outcome = 'refused' where seq = 7").run();
    db.close();
    const broken = tessera(["audit", "verify"]);
    expect([broken.status, broken.stdout]).toEqual([
      1,
      "The object history is BROKEN at entry 7: the entry's content was changed.\n",
    ]);
  });

  it("says what is wrong with a bad setting or a bad command, without a stack trace", () => {
    const port = tessera(["audit", "verify"], { PORT: "eighty" });
    expect([port.status, port.stderr]).toEqual([
      1,
      'tessera: Setting PORT: must be a whole number from 1 to 65535, not "eighty"\n',
    ]);
    const db = tessera(["audit", "verify"], { DATABASE_URL: "mysql://x" });
    expect(db.stderr).toContain("Setting DATABASE_URL");
    const unknown = tessera(["fly"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command fly");
    expect(unknown.stderr).not.toContain("    at ");
  });

  // Read by scripts (`npm run bench | jq`): a warning the app logs while the benchmark runs
  // (here the missing TESSERA_PUBLIC_URL) goes to stderr, never among the figures.
  it("bench: prints its figures as JSON alone on stdout", () => {
    const bench = tessera(["bench", "search", "--size", "200"], { TESSERA_PUBLIC_URL: "" });
    expect(bench.status).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({ benchmark: "search", cards: 200 });
  });

  it("bench batch: every round against its own ceiling, the median round's figures; refuses 0 rounds", () => {
    const small = { TESSERA_WORKERS: "1", TESSERA_BATCH_CHUNK_SIZE: "5" };
    const bench = tessera(["bench", "batch", "--size", "10", "--rounds", "3"], small);
    expect(bench.status).toBe(0);
    const figures = JSON.parse(bench.stdout);
    expect(figures).toMatchObject({ benchmark: "batch", cards: 10, done: 10, failed: 0 });
    expect(figures.rounds).toHaveLength(3);
    // The headline figures are one round's, and that round's ratio is the middle one.
    expect(figures.rounds).toContainEqual(
      expect.objectContaining({
        ratio: figures.ratio,
        cardsPerSecond: figures.cardsPerSecond,
        ceilingCardsPerSecond: figures.ceilingCardsPerSecond,
        cpuRatio: figures.cpuMsPerCard.ratio,
        done: 10,
        failed: 0,
      }),
    );
    const ratios: number[] = figures.rounds.map((round: { ratio: number }) => round.ratio);
    expect(figures.ratio).toBe([...ratios].sort((a, b) => a - b)[1]);
    for (const rounds of ["0", "2", "2.5", "11"]) {
      const refused = tessera(["bench", "batch", "--rounds", rounds], small);
      expect([refused.status, refused.stdout]).toEqual([2, ""]);
      expect(refused.stderr).toContain("--rounds needs an odd whole number from 1 to 9");
    }
  });
});
