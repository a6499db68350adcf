import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { storeForSuite } from "../test-support/store.js";
import { newUser } from "../test-support/users.js";
import { searchAudit } from "./audit-log.js";
import { findBatchItems } from "./batch-items.js";
import { insertCertificates, searchCertificates } from "./certificates.js";
import { insertUsers, searchUsers } from "./users.js";

/** A cursor as a client could write one by hand: base64url of a JSON array. */
const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString("base64url");

/**
 * Issue 13's attack on paging: a cursor is the client's to send back, so one forged or carried
 * over from another list is the client's mistake (`request.invalid_cursor`, 400), never a
 * query the database refuses (a 500) nor a page of another list.
 */
describe.each(dialects)("forged cursors on %s", (dialect) => {
  const at = "2026-01-01T00:00:00.000Z";
  const suite = storeForSuite(dialect, async (db) => {
    await insertUsers(
      db,
      ["a", "b", "c"].map((id) =>
        newUser({ id, identifier: `ID-${id}`, firstName: "Ann", lastName: id, email: `${id}@x.org` }),
      ),
      at,
    );
    await insertCertificates(
      db,
      ["01", "02", "03"].map((serial) => ({
        serial,
        cardId: null,
        profile: "authentication",
        subject: `CN=${serial}`,
        state: "valid" as const,
        der: Buffer.from([0x30, 0x00]),
        notBefore: at,
        notAfter: "2029-01-01T00:00:00.000Z",
        revokedAt: null,
        revocationReason: null,
      })),
      at,
    );
  });

  // A batch's items are numbered in an `integer` column: on PostgreSQL a number past 2^31 - 1
  // in the cursor made the comparison fail ("out of range for type integer"), a 500.
  it.each([2 ** 31, Number.MAX_SAFE_INTEGER])(
    "refuses a batch item number %d no item can have",
    async (seq) => {
      await expect(
        findBatchItems(suite.db, "no-such-batch", {}, { cursor: forged([seq]), limit: 5 }),
      ).rejects.toMatchObject({ code: "request.invalid_cursor" });
    },
  );

  it("still pages the audit log past 2^31 (its numbers are 64-bit)", async () => {
    const page = await searchAudit(suite.db, {}, { cursor: forged([2 ** 40, "seq desc"]), limit: 5 });
    expect(page.items).toEqual([]);
  });

  // Both lists read "created_at desc": the certificates' cursor was taken as a place in the
  // users' list, and answered a page of neither.
  it("refuses a cursor of another list read in an order of the same name", async () => {
    const certificates = await searchCertificates(suite.db, {}, { limit: 1 });
    expect(certificates.nextCursor).not.toBeNull();
    await expect(
      searchUsers(
        suite.db,
        {},
        { limit: 1, cursor: certificates.nextCursor! },
        { by: "createdAt", direction: "desc" },
      ),
    ).rejects.toMatchObject({ code: "request.invalid_cursor" });
    const users = await searchUsers(suite.db, {}, { limit: 1 }, { by: "createdAt", direction: "desc" });
    await expect(
      searchCertificates(suite.db, {}, { limit: 1, cursor: users.nextCursor! }),
    ).rejects.toMatchObject({ code: "request.invalid_cursor" });
  });
});
