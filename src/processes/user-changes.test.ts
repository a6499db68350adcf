import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createSamplePng } from "../production/sample-photos.js";
import type { Actor } from "../services/services.js";
import { searchAudit } from "../store/audit-log.js";
import { findCardById, insertCards } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { findUserById } from "../store/users.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { approvedCardAs, processSuite } from "../test-support/processes.js";
import { hasTool } from "../test-support/tools.js";

/** Issue 12, "Changes.", "Leavers." and "Bad input": UsersProcEdit, UsersProcDeactivate, UsersProcReactivate. */
describe.each(dialects)("a user's changes and leaving on %s", (dialect) => {
  const suite = processSuite(dialect, { severalActiveCards: true });
  const { run, createUser } = suite;
  let requester: Actor;
  let registrar: ApiClient;
  let helpdesk: ApiClient;

  /** The successful history entries of one object, oldest first. */
  const historyOf = async (objectType: string, objectId: string) =>
    (await searchAudit(suite.db, { objectType, objectId, outcome: "success" }, { limit: 100 })).items
      .reverse()
      .map(({ action, details }) => ({ action, details }));
  const certificateStates = async (cardId: string) =>
    (await findCertificatesOfCard(suite.db, cardId)).map((c) => `${c.state}:${c.revocationReason ?? "-"}`);

  /** A card requested by another operator (four eyes) and approved. */
  const approvedCard = (userId: string) =>
    approvedCardAs(suite.t, { requester, approver: suite.actor }, userId);
  /** A card as production leaves it: issued, its certificates on hold. */
  async function issuedCard(userId: string): Promise<string> {
    const cardId = await approvedCard(userId);
    await suite.produce([cardId]);
    return cardId;
  }

  beforeAll(async () => {
    requester = await suite.t.operator("requester", ["registrationOfficer"]);
    ({ registrar, helpdesk } = await loggedInOperators(suite.t, {
      registrar: ["registrationOfficer"],
      helpdesk: ["helpdesk"],
    }));
  });

  describe("UsersProcEdit", () => {
    let userId: string;
    beforeAll(async () => {
      userId = await createUser({ firstName: "Eda", lastName: "Edit" });
    });

    it("changes the fields, records old → new in one history entry, and names the cards to replace", async () => {
      const cardId = await approvedCard(userId);
      const r = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
        userId,
        version: 1,
        lastName: "Edwards",
        title: "Dr.",
        address: ["1 Main Street", "Springfield"],
        photo: createSamplePng(20, 30).toString("base64"),
      });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({
        lastName: "Edwards",
        firstName: "Eda",
        title: "Dr.",
        address: ["1 Main Street", "Springfield"],
        hasPhoto: true,
        version: 2,
      });
      expect([...r.body.changed].sort()).toEqual(["address", "lastName", "photo", "title"]);
      expect([...r.body.cardFieldsChanged].sort()).toEqual(["lastName", "title"]);
      // The approved card is not made yet: it will be made from the user as edited, so it needs no replacement.
      expect(cardId).toBeTruthy();
      expect(r.body.cardsToReplace).toEqual([]);
      // Found by the new name.
      const found = await registrar("GET", "/api/v1/users?q=edwards");
      expect(found.body.items.map((u: { id: string }) => u.id)).toEqual([userId]);

      const edits = (await historyOf("user", userId)).filter((h) => h.action === "UsersProcEdit");
      expect(edits).toHaveLength(1);
      expect(edits[0]!.details.changes).toEqual({
        lastName: { from: "Edit", to: "Edwards" },
        title: { from: null, to: "Dr." },
        address: { from: null, to: ["1 Main Street", "Springfield"] },
        photo: { from: false, to: true },
      });
    });

    it("names no card when only a field no card shows changed, and clears a field with null", async () => {
      const r = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
        userId,
        version: 2,
        address: null,
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ changed: ["address"], cardFieldsChanged: [], cardsToReplace: [] });
      expect(r.body.user).toMatchObject({ address: null, version: 3 });
    });

    it("clears a field sent empty or blank, as with null (not a silent no-op)", async () => {
      const clearId = await createUser({ firstName: "Clara", lastName: "Clear" });
      const edit = (body: Record<string, unknown>) =>
        registrar("POST", "/api/v1/processes/UsersProcEdit", { userId: clearId, ...body });
      expect((await edit({ version: 1, organizationalUnit: "OU1", title: "Dr." })).status).toBe(200);
      const r = await edit({ version: 2, organizationalUnit: "", title: "  " });
      expect(r.status).toBe(200);
      expect([...r.body.changed].sort()).toEqual(["organizationalUnit", "title"]);
      expect(r.body.user).toMatchObject({ organizationalUnit: null, title: null, version: 3 });
    });

    it.each([
      ["a stale version", { version: 1, firstName: "Late" }, 409, "user.stale"],
      ["a bad e-mail address", { version: 3, email: "not-an-address" }, 400, "request.invalid"],
      [
        "a photo that is not an image",
        { version: 3, photo: Buffer.from("GIF89a").toString("base64") },
        400,
        "user.photo_invalid",
      ],
      ["an identifier (not editable)", { version: 3, identifier: "OTHER-1" }, 400, "request.invalid"],
      ["an unknown user", { userId: "nobody", version: 1 }, 404, "user.not_found"],
    ])("refuses %s with a code and a sentence, and changes nothing", async (_what, body, status, code) => {
      const before = await findUserById(suite.db, userId);
      const r = await registrar("POST", "/api/v1/processes/UsersProcEdit", { userId, ...body });
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message).toMatch(/\w+ \w+/);
      expect(await findUserById(suite.db, userId)).toEqual(before);
    });

    it("is refused to an operator who is not a registration officer (403)", async () => {
      const r = await helpdesk("POST", "/api/v1/processes/UsersProcEdit", {
        userId,
        version: 3,
        firstName: "X",
      });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("auth.forbidden");
      expect((await findUserById(suite.db, userId))?.firstName).toBe("Eda");
    });
  });

  describe("UsersProcDeactivate and UsersProcReactivate", () => {
    it("refuses the whole deactivation while a running batch holds one of the cards", async () => {
      const userId = await createUser({ firstName: "Bea", lastName: "Batch" });
      const free = await approvedCard(userId);
      const held = await approvedCard(userId);
      // Ordered, not run yet: the runner has not started in this file so far.
      const { result } = await run("CardsBoProcIssueMultiple", { cardIds: [held] });
      const { batchId } = result as { batchId: string };
      const r = await registrar("POST", "/api/v1/processes/UsersProcDeactivate", { userId, reason: "Left" });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("card.claimed");
      expect(r.body.error.message).toContain(batchId);
      expect((await findUserById(suite.db, userId))?.state).toBe("active");
      expect((await findCardById(suite.db, free))?.state).toBe("approved");
      expect((await historyOf("user", userId)).map((h) => h.action)).toEqual(["UsersProcCreate"]);
    });

    it("locks the active and issued cards (reason left, certificates revoked cessationOfOperation) and aborts the request, in one go", async () => {
      const userId = await createUser({ firstName: "Leo", lastName: "Leaver" });
      const active = await issuedCard(userId);
      await run("CardsProcActivate", { cardId: active });
      const issued = await issuedCard(userId);
      const approved = await approvedCard(userId);
      expect(await certificateStates(active)).toEqual(["valid:-", "valid:-"]);
      expect(await certificateStates(issued)).toEqual(["onHold:certificateHold", "onHold:certificateHold"]);

      const r = await registrar("POST", "/api/v1/processes/UsersProcDeactivate", {
        userId,
        reason: "Left the office on 28 February",
      });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ state: "inactive", version: 2 });
      expect(r.body.lockedCards.map((c: { id: string }) => c.id).sort()).toEqual([active, issued].sort());
      expect(r.body.abortedCards.map((c: { id: string }) => c.id)).toEqual([approved]);

      for (const cardId of [active, issued]) {
        expect(await findCardById(suite.db, cardId)).toMatchObject({ state: "locked", reason: "left" });
        expect(await certificateStates(cardId)).toEqual([
          "revoked:cessationOfOperation",
          "revoked:cessationOfOperation",
        ]);
        expect((await historyOf("card", cardId)).at(-1)).toMatchObject({
          action: "UsersProcDeactivate",
          details: { to: "locked", lockReason: "left" },
        });
      }
      expect(await findCardById(suite.db, approved)).toMatchObject({
        state: "aborted",
        reason: "Left the office on 28 February",
      });
      expect((await historyOf("card", approved)).at(-1)).toMatchObject({
        action: "UsersProcDeactivate",
        details: { from: "approved", to: "aborted" },
      });
      const userHistory = await historyOf("user", userId);
      expect(userHistory.at(-1)).toMatchObject({
        action: "UsersProcDeactivate",
        details: { from: "active", to: "inactive", reason: "Left the office on 28 February" },
      });

      // The CRL, read by OpenSSL, lists the four certificates with the reason.
      if (hasTool("openssl", "openssl")) {
        const crlText = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
          input: (await suite.t.app.services.crl.current()).der,
          encoding: "utf8",
        });
        for (const cardId of [active, issued])
          for (const certificate of await findCertificatesOfCard(suite.db, cardId)) {
            const entry = crlText
              .split("Serial Number: ")
              .find((e) => e.startsWith(certificate.serial.toUpperCase()));
            expect(entry).toContain("Cessation Of Operation");
          }
      }
      expect(await suite.t.app.services.audit.verify(suite.db)).toMatchObject({ valid: true });

      // Bad input: deactivating again is refused and changes nothing.
      const again = await registrar("POST", "/api/v1/processes/UsersProcDeactivate", {
        userId,
        reason: "Twice",
      });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: "user.already_inactive" });
      expect(again.body.error.message).toContain("Leo Leaver");
      expect(await historyOf("user", userId)).toEqual(userHistory);
      // An inactive user gets no new card.
      await expect(
        run("CardsProcRequest", { userId, template: "Employee ID" }, requester),
      ).rejects.toMatchObject({ code: "user.inactive" });

      // Reactivate: the user is back, the locked cards stay locked.
      const back = await registrar("POST", "/api/v1/processes/UsersProcReactivate", { userId, version: 2 });
      expect(back.status).toBe(200);
      expect(back.body.user).toMatchObject({ state: "active", version: 3 });
      for (const cardId of [active, issued])
        expect((await findCardById(suite.db, cardId))?.state).toBe("locked");
      expect((await historyOf("user", userId)).at(-1)).toMatchObject({
        action: "UsersProcReactivate",
        details: { from: "inactive", to: "active" },
      });
      const twice = await registrar("POST", "/api/v1/processes/UsersProcReactivate", { userId });
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe("user.already_active");
      expect((await findUserById(suite.db, userId))?.version).toBe(3);
    });

    it("leaves everything as it was when it crashes at its last step (one transaction)", async () => {
      const userId = await createUser({ firstName: "Cal", lastName: "Crash" });
      const active = await issuedCard(userId);
      await run("CardsProcActivate", { cardId: active });
      const approved = await approvedCard(userId);
      const audit = suite.t.app.services.audit;
      const append = audit.append;
      // The crash comes after the cards and their certificates changed, with the user's own entry.
      audit.append = async (trx, entries, at) => {
        if (entries.some((entry) => entry.objectType === "user")) throw new Error("crash injected");
        return append.call(audit, trx, entries, at);
      };
      try {
        await expect(run("UsersProcDeactivate", { userId, reason: "Left" })).rejects.toThrow(
          "crash injected",
        );
      } finally {
        audit.append = append;
      }
      expect((await findUserById(suite.db, userId))?.state).toBe("active");
      expect((await findCardById(suite.db, active))?.state).toBe("active");
      expect((await findCardById(suite.db, approved))?.state).toBe("approved");
      expect(await certificateStates(active)).toEqual(["valid:-", "valid:-"]);
    });

    it("aborts a failed card too, so that Repeat production cannot make it for someone who left", async () => {
      const userId = await createUser({ firstName: "Fay", lastName: "Failed" });
      const cardId = randomUUID();
      await insertCards(
        suite.db,
        [
          {
            id: cardId,
            cardNumber: `F${cardId.slice(0, 12)}`,
            userId,
            template: "Employee ID",
            state: "failed",
            holderName: "Fay Failed",
            organizationalUnit: null,
            requestedBy: "someone-else",
            decidedBy: null,
          },
        ],
        suite.t.clock().toISOString(),
      );
      const { result } = await run("UsersProcDeactivate", { userId, reason: "Left" });
      expect((result as { abortedCards: { id: string }[] }).abortedCards.map((c) => c.id)).toEqual([cardId]);
      expect((await findCardById(suite.db, cardId))?.state).toBe("aborted");
      await expect(run("CardsProcRepeatProduction", { cardId })).rejects.toMatchObject({
        code: "card.state_not_allowed",
      });
    });

    it.each([
      ["without a reason", "UsersProcDeactivate", { reason: "  " }, 400, "request.invalid"],
      ["at a stale version", "UsersProcDeactivate", { reason: "Left", version: 9 }, 409, "user.stale"],
      ["at a stale version", "UsersProcReactivate", { version: 9 }, 409, "user.stale"],
    ] as const)("%s, %s is refused and changes nothing", async (_what, name, body, status, code) => {
      const userId = await createUser({
        firstName: "Ria",
        lastName: "Refused",
        identifier: `REFUSED-${name}-${status}`,
      });
      const r = await registrar("POST", `/api/v1/processes/${name}`, { userId, ...body });
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(await findUserById(suite.db, userId)).toMatchObject({ state: "active", version: 1 });
    });

    it.each(["UsersProcDeactivate", "UsersProcReactivate"])(
      "%s is refused to a helpdesk operator (403)",
      async (name) => {
        const userId = await createUser({
          firstName: "Hal",
          lastName: "Help",
          identifier: `HELP-${name}`,
        });
        const r = await helpdesk("POST", `/api/v1/processes/${name}`, { userId, reason: "Left" });
        expect(r.status).toBe(403);
        expect((await findUserById(suite.db, userId))?.state).toBe("active");
      },
    );
  });
});
