import { describe, expect, it } from "vitest";
import type { CertificateState } from "../domain/certificate-states.js";
import { dialects } from "../test-support/databases.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { countFinishedItemsByInstant, finishItems, insertBatchItems } from "./batch-items.js";
import { insertBatch } from "./batches.js";
import { countCertificatesEndingPerMonth, insertCertificates } from "./certificates.js";

const at = "2026-03-01T09:00:00.000Z";

/**
 * The certificates of the test, each with its state and end; the expected counts below are
 * written from this table by hand.
 */
const certificates: [serial: string, state: CertificateState, notAfter: string][] = [
  ["01", "valid", "2026-03-01T08:59:59.999Z"], // ended before the window: not counted
  ["02", "valid", "2026-03-01T09:00:00.000Z"],
  ["03", "onHold", "2026-03-31T23:59:59.999Z"],
  ["04", "valid", "2026-04-01T00:00:00.000Z"],
  ["05", "valid", "2026-04-30T12:00:00.000Z"],
  ["06", "revoked", "2026-04-15T00:00:00.000Z"], // not in use
  ["07", "expired", "2026-04-15T00:00:00.000Z"], // not in use
  ["08", "onHold", "2027-02-28T23:59:59.999Z"],
  ["09", "valid", "2027-03-01T00:00:00.000Z"], // the window's end: not counted
];

describe.each(dialects)("the pictures' counts on %s", (dialect) => {
  const suite = storeForSuite(
    dialect,
    async (db) => {
      await insertHolderWithCards(
        db,
        { userId: "u0", count: 10, numberFrom: 9100, at },
        { decidedBy: "approver" },
      );
      await insertCertificates(
        db,
        certificates.map(([serial, state, notAfter]) => ({
          serial,
          cardId: null,
          profile: "authentication",
          subject: `CN=${serial}`,
          state,
          der: Buffer.from([0x30, 0x00]),
          notBefore: "2026-01-01T00:00:00.000Z",
          notAfter,
          revokedAt: null,
          revocationReason: null,
        })),
        at,
      );
    },
    at,
  );

  it("counts the certificates in use ending per month and state, within [from, to)", async () => {
    expect(
      await countCertificatesEndingPerMonth(
        suite.db,
        ["valid", "onHold"],
        "2026-03-01T09:00:00.000Z",
        "2027-03-01T00:00:00.000Z",
      ),
    ).toEqual([
      { month: "2026-03", state: "onHold", count: 1 },
      { month: "2026-03", state: "valid", count: 1 },
      { month: "2026-04", state: "valid", count: 2 },
      { month: "2027-02", state: "onHold", count: 1 },
    ]);
    expect(
      await countCertificatesEndingPerMonth(
        suite.db,
        ["revoked"],
        "2026-03-01T00:00:00.000Z",
        "2027-03-01T00:00:00.000Z",
      ),
    ).toEqual([{ month: "2026-04", state: "revoked", count: 1 }]);
  });

  it("counts a batch's finished cards per instant they were recorded, leaving out those pending", async () => {
    await insertBatch(
      suite.db,
      {
        id: "b1",
        process: "CardsBoProcActivateMultiple",
        options: {},
        createdBy: "o1",
        createdByName: "production",
        chunks: 3,
        total: 10,
      },
      at,
    );
    await insertBatchItems(
      suite.db,
      dialect,
      "b1",
      Array.from({ length: 10 }, (_, i) => `c${i}`),
      [4, 4, 2],
      at,
    );
    expect(await countFinishedItemsByInstant(suite.db, "b1")).toEqual([]);
    // Chunk 2 first, then chunk 1 a minute later with one failure; chunk 3 is still in work.
    await finishItems(
      suite.db,
      "b1",
      ["c4", "c5", "c6", "c7"].map((cardId) => ({ cardId, state: "done" as const })),
      "2026-03-01T09:00:05.000Z",
    );
    await finishItems(
      suite.db,
      "b1",
      [
        { cardId: "c0", state: "done" as const },
        { cardId: "c1", state: "failed" as const, code: "production.photo_invalid", reason: "y" },
        { cardId: "c2", state: "done" as const },
        { cardId: "c3", state: "done" as const },
      ],
      "2026-03-01T09:01:05.000Z",
    );
    expect(await countFinishedItemsByInstant(suite.db, "b1")).toEqual([
      { at: "2026-03-01T09:00:05.000Z", done: 4, failed: 0 },
      { at: "2026-03-01T09:01:05.000Z", done: 3, failed: 1 },
    ]);
    expect(await countFinishedItemsByInstant(suite.db, "no-such-batch")).toEqual([]);
  });
});
