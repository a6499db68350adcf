import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.js";
import { toPem } from "../pki/pem.js";
import type { Actor } from "../services/services.js";
import { findHistoryOf } from "../store/audit-log.js";
import { findCardById } from "../store/cards.js";
import { findCertificateDer, findCertificatesOfCard } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { approvedCardAs, processSuite } from "../test-support/processes.js";
import { createTestClock } from "../test-support/test-app.js";
import { hasOpensslAndGnutls } from "../test-support/tools.js";

const day = 86_400_000;
describe.runIf(hasOpensslAndGnutls()).each(dialects)("time moves the states on %s", (dialect) => {
  const suite = processSuite(dialect, { severalActiveCards: true });
  const { run, produce } = suite;
  let requester: Actor;
  let userId: string;
  const scratch = createScratchFolder("tessera-expiry-");
  const cards: Record<"issued" | "active" | "held" | "locked", string> = {
    issued: "",
    active: "",
    held: "",
    locked: "",
  };
  let end: number;
  let baseUrl: string;
  let caFile: string;

  const certificatesOf = (cardId: string) => findCertificatesOfCard(suite.db, cardId);
  const stateOf = async (cardId: string) => (await findCardById(suite.db, cardId))!.state;
  const certificateFile = async (serial: string) =>
    scratch.file(`${serial}.pem`, toPem((await findCertificateDer(suite.db, serial))!, "CERTIFICATE"));
  /** What `openssl crl` reads in the current CRL: the serials it lists. */
  const crlSerials = async () => {
    const text = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
      input: (await suite.t.app.services.crl.current()).der,
      encoding: "utf8",
    });
    return [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.toLowerCase());
  };
  /** OpenSSL's OCSP verdict at the app's clock (the responder answers for that time). */
  const ocspAt = async (serial: string) => {
    const answer = await askOcsp({
      caFile,
      certFile: await certificateFile(serial),
      responderUrl: `${baseUrl}/pki/ocsp`,
      certIdOptions: [
        "-attime",
        String(Math.floor(suite.t.clock().getTime() / 1000)),
        // The answer is dated by the app's clock, years after the real one.
        "-validity_period",
        String(Math.ceil((suite.t.clock().getTime() - Date.now()) / 1000) + 3600),
      ],
    });
    const status = answer.match(/\.pem: (good|revoked|unknown)/)?.[1];
    if (!status) throw new Error(`openssl ocsp gave no status:\n${answer}`);
    return status;
  };

  async function producedCard(): Promise<string> {
    return approvedCardAs(suite.t, { requester, approver: suite.actor }, userId);
  }

  beforeAll(async () => {
    requester = await suite.t.operator("requester", ["registrationOfficer"]);
    userId = await suite.createUser({ firstName: "Eve", lastName: "Expiry" });
    for (const key of Object.keys(cards) as (keyof typeof cards)[]) cards[key] = await producedCard();
    await produce(Object.values(cards));
    for (const cardId of [cards.active, cards.held, cards.locked]) await run("CardsProcActivate", { cardId });
    await run("CertificatesProcHold", { serial: (await certificatesOf(cards.held))[0]!.serial });
    await run("CardsProcLock", { cardId: cards.locked, reason: "lost" });
    end = Date.parse((await findCardById(suite.db, cards.issued))!.expiresAt!);
    baseUrl = await suite.t.server.listen({ port: 0, host: "127.0.0.1" });
    caFile = scratch.file("ca.pem", toPem(suite.t.app.services.ca.identity.certificateDer, "CERTIFICATE"));
  });
  afterAll(() => rmSync(scratch.dir, { recursive: true, force: true }));

  it("changes nothing before the end", async () => {
    suite.t.clock.advance(end - suite.t.clock().getTime() - 1000);
    expect(await suite.t.app.expiry.runNow()).toEqual({ certificates: 0, cards: 0 });
    expect(await stateOf(cards.active)).toBe("active");
  });

  it("refuses to activate a card whose end has passed although the pass has not been by", async () => {
    suite.t.clock.advance(2000);
    const { status, body } = await suite.t.server
      .inject({
        method: "POST",
        url: "/api/v1/processes/CardsProcActivate",
        headers: { cookie: await suite.t.login("all") },
        payload: { cardId: cards.issued },
      })
      .then((r) => ({ status: r.statusCode, body: r.json() }));
    expect(status).toBe(409);
    expect(body.error.code).toBe("card.expired");
    expect(await stateOf(cards.issued)).toBe("issued");
  });

  it("expires certificates and cards at their end, each with a history entry; revoked and locked stay", async () => {
    const held = (await certificatesOf(cards.held))[0]!;
    const lockedSerials = (await certificatesOf(cards.locked)).map((c) => c.serial);
    const counts = await suite.t.app.expiry.runNow();
    // Issued: two on hold; active: two valid; held card: one on hold, one valid. Locked: revoked.
    expect(counts).toEqual({ certificates: 6, cards: 3 });
    for (const key of ["issued", "active", "held"] as const) {
      expect(await stateOf(cards[key])).toBe("expired");
      for (const c of await certificatesOf(cards[key])) expect(c.state).toBe("expired");
      const history = await findHistoryOf(suite.db, "card", cards[key]);
      expect(history.filter((e) => e.action === "card.expire")).toHaveLength(1);
    }
    expect(await stateOf(cards.locked)).toBe("locked");
    for (const c of await certificatesOf(cards.locked)) expect(c.state).toBe("revoked");
    const heldHistory = await findHistoryOf(suite.db, "certificate", held.serial);
    expect(heldHistory.at(-1)).toMatchObject({
      action: "certificate.expire",
      operatorId: null,
      details: { from: "onHold", to: "expired" },
    });
    expect(await suite.t.app.expiry.runNow()).toEqual({ certificates: 0, cards: 0 });
    expect(lockedSerials).toHaveLength(2);
  });

  it("OpenSSL finds the certificates expired; OCSP still answers each as it was; the CRL keeps revocations past the end", async () => {
    const [activeCert] = await certificatesOf(cards.active);
    const [heldCert] = await certificatesOf(cards.held);
    const [lockedCert] = await certificatesOf(cards.locked);
    // Tessera was down for longer than a CRL lasts: the first CRL after the end still lists
    // them, since none issued after their end has yet (RFC 5280 §3.3).
    suite.t.clock.advance(suite.t.app.config.crl.nextUpdateHours * 3600_000 + 3600_000);
    const verify = spawnSync(
      "openssl",
      [
        "verify",
        "-attime",
        String(Math.floor(suite.t.clock().getTime() / 1000)),
        "-CAfile",
        caFile,
        await certificateFile(activeCert!.serial),
      ],
      { encoding: "utf8" },
    );
    expect(verify.status).not.toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/certificate has expired/);
    expect(await ocspAt(activeCert!.serial)).toBe("good");
    expect(await ocspAt(heldCert!.serial)).toBe("revoked");
    expect(await ocspAt(lockedCert!.serial)).toBe("revoked");
    const listed = await crlSerials();
    expect(listed).toEqual(expect.arrayContaining([heldCert!.serial, lockedCert!.serial]));
    expect(listed).not.toContain(activeCert!.serial);
  });

  it("drops entries from the CRL once a CRL issued after their end listed them (RFC 5280 §3.3)", async () => {
    const [heldCert] = await certificatesOf(cards.held);
    expect(await crlSerials()).toContain(heldCert!.serial);
    // The next CRL once the current one runs out lists nothing that ended more than a validity ago.
    suite.t.clock.advance(suite.t.app.config.crl.nextUpdateHours * 3600_000 + day);
    expect(await crlSerials()).toEqual([]);
    expect(await ocspAt(heldCert!.serial)).toBe("revoked");
  });

  it("a Tessera started after the end catches up at start", async () => {
    const late = await producedCard();
    await produce([late]);
    const lateEnd = Date.parse((await findCardById(suite.db, late))!.expiresAt!);
    // Another process on the same database, started after the end, while this one stays idle.
    const clock = createTestClock(new Date(lateEnd + day).toISOString());
    const second = await createApp(suite.t.app.config, { clock, log: pino({ level: "silent" }) });
    try {
      // Its timer's first turn is a minute away: only the pass start() runs can change the card.
      second.start();
      await vi.waitFor(async () => expect(await stateOf(late)).toBe("expired"), { timeout: 5000 });
      for (const c of await certificatesOf(late)) expect(c.state).toBe("expired");
    } finally {
      await second.close();
    }
  });
});
