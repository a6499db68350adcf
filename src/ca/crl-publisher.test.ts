import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumpCertificateStatusVersion } from "../store/certificates.js";
import { findLatestCrl } from "../store/crls.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { createCrlPublisher } from "./crl-publisher.js";

/**
 * The CRL's timer re-signs a stale CRL once the statuses stop changing: a batch that holds its
 * cards' certificates chunk after chunk made a CRL at every tick (every 5 seconds, in every
 * process), of up to 200,000 entries for a 100,000-card batch. A CRL asked for is current all the
 * same; one that has waited 5 minutes, or whose nextUpdate is near, is re-signed whatever else happens.
 */
describe("the CRL's timer", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("sqlite");
  });
  afterAll(() => t?.close());

  it("re-signs a stale CRL after the statuses stop changing, and before its nextUpdate", async () => {
    const { store, ca, clock } = t.app.services;
    const crl = createCrlPublisher({ store, ca, clock, nextUpdateHours: 24, log: pino({ level: "silent" }) });
    const newest = async () => (await findLatestCrl(store.db))?.number ?? 0;
    // None yet: one at once.
    await crl.tick();
    const first = await newest();
    expect(first).toBeGreaterThan(0);

    // A batch holds certificates chunk after chunk, through several ticks: nothing re-signed.
    for (let chunk = 0; chunk < 5; chunk++) {
      await bumpCertificateStatusVersion(store.db);
      await crl.tick();
    }
    expect(await newest()).toBe(first);
    // A relying party asking meanwhile gets a CRL with every change.
    const asked = await crl.current();
    expect(asked.number).toBe(first + 1);

    // The batch goes on, then ends: one CRL at the first tick with no change since the last.
    await bumpCertificateStatusVersion(store.db);
    await crl.tick();
    expect(await newest()).toBe(first + 1);
    await crl.tick();
    expect(await newest()).toBe(first + 2);
    await crl.tick();
    expect(await newest()).toBe(first + 2);

    // Statuses changing for longer than 5 minutes (a long batch): re-signed all the same.
    for (let minute = 1; minute <= 6; minute++) {
      t.clock.advance(60_000);
      await bumpCertificateStatusVersion(store.db);
      await crl.tick();
      expect(await newest(), `after ${minute} minutes`).toBe(minute < 5 ? first + 2 : first + 3);
    }

    // The changes stop: the last of them signed at the next tick.
    await crl.tick();
    expect(await newest()).toBe(first + 4);

    // No change since: fresh until six hours before its nextUpdate (a quarter of 24).
    t.clock.advance(17 * 3600_000);
    await crl.tick();
    expect(await newest()).toBe(first + 4);
    t.clock.advance(3600_000);
    await crl.tick();
    expect(await newest()).toBe(first + 5);
  });
});
