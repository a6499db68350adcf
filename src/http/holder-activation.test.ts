import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findActivationCode } from "../store/activation-codes.js";
import { findHistoryOf } from "../store/audit-log.js";
import { findCardById } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { produceCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

const day = 86_400_000;

describe.runIf(hasTool("pdftotext", "poppler-utils")).each(dialects)(
  "the holder activates their own card on %s",
  (dialect) => {
    let t: TestApp;
    const scratch = createScratchFolder("tessera-holder-activation-");
    /** Card number → the code printed on its PIN letter. */
    const codes = new Map<string, string>();
    const cardIds: string[] = [];
    const numbers = new Map<string, string>();

    /** What the page answers a browser's form post. */
    const post = async (form: Record<string, string>, address = "203.0.113.7") => {
      const response = await t.server.inject({
        method: "POST",
        url: "/activate",
        remoteAddress: address,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams(form).toString(),
      });
      return { status: response.statusCode, html: response.body };
    };
    const json = async (body: Record<string, string>, address = "198.51.100.9") => {
      const response = await t.server.inject({
        method: "POST",
        url: "/activate",
        remoteAddress: address,
        payload: body,
      });
      return { status: response.statusCode, body: response.json() };
    };
    const stateOf = async (id: string) => (await findCardById(t.app.services.store.db, id))!.state;

    beforeAll(async () => {
      t = await createTestApp(dialect, {
        options: { holderActivation: { enabled: true, codeValidDays: 10 }, approvalStep: false },
      });
      await t.operator("registrar", ["registrationOfficer"]);
      await t.operator("production", ["productionAdministrator"]);
      await t.operator("mailer", ["pinMailer"]);
      const registrar = apiAs(t.server, await t.login("registrar"));
      const production = apiAs(t.server, await t.login("production"));
      const { batchId, cardIds: ids } = await produceCardsForNewHolders(
        t,
        { registrar, production },
        { lastName: "Selfserve", count: 6, template: "Employee ID" },
      );
      cardIds.push(...ids);
      for (const id of ids) numbers.set(id, (await findCardById(t.app.services.store.db, id))!.cardNumber);
      // The codes as the holders get them: read off the PIN letters by poppler.
      const mailer = await t.login("mailer");
      for (const part of [1, 2]) {
        const letters = await t.server.inject({
          url: `/api/v1/batches/${batchId}/pin-letters?part=${part}`,
          headers: { cookie: mailer },
        });
        expect(letters.statusCode).toBe(200);
        const text = execFileSync(
          "pdftotext",
          ["-layout", scratch.file(`letters-${part}.pdf`, letters.rawPayload), "-"],
          {
            encoding: "utf8",
          },
        );
        for (const page of text.split("\f")) {
          const card = /Card number\s+(\d+)/.exec(page)?.[1] ?? /card number (\d+)/.exec(page)?.[1];
          const code = /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(page)?.[1];
          if (card && code) codes.set(card, code);
        }
        expect(text).toContain("http://localhost:3000/activate");
      }
      expect(codes.size).toBe(6);
    });
    afterAll(() => t.close());

    it("serves a page without script that names the office", async () => {
      const page = await t.server.inject({ url: "/activate" });
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.body).toContain("Tessera Test Office");
      expect(page.body).toContain('<form method="post" action="/activate">');
      expect(page.body).not.toMatch(/<script/i);
    });

    it("activates the card with the right code: certificates valid at once, a history entry", async () => {
      const [id] = cardIds;
      const number = numbers.get(id!)!;
      const { status, html } = await post({ cardNumber: number, code: codes.get(number)!.toLowerCase() });
      expect(status).toBe(200);
      expect(html).toContain(`Card ${number} is active`);
      expect(await stateOf(id!)).toBe("active");
      const certificates = await findCertificatesOfCard(t.app.services.store.db, id!);
      expect(certificates.map((c) => c.state)).toEqual(["valid", "valid"]);
      const history = await findHistoryOf(t.app.services.store.db, "card", id!);
      expect(history.map((e) => `${e.action}:${e.outcome}`)).toContain("card.holderActivation:success");
      // Used: the same code again is refused, and nothing changes.
      const again = await post({ cardNumber: number, code: codes.get(number)! });
      expect(again.status).toBe(409);
      expect(again.html).toContain("activated already");
      // A wrong code learns nothing of the card: the answer is the one an unknown number gets.
      const guess = await json({ cardNumber: number, code: "0000-0000-0000" });
      const unknown = await json({ cardNumber: "999999999", code: "0000-0000-0000" });
      expect([guess.status, guess.body.error.code]).toEqual([403, "activation.code_wrong"]);
      expect([unknown.status, unknown.body.error.code]).toEqual([403, "activation.code_wrong"]);
    });

    it("refuses wrong codes, records each try, and spends the card's code after five", async () => {
      const id = cardIds[1]!;
      const number = numbers.get(id)!;
      const wrong = codes.get(number)!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      for (let i = 0; i < 5; i++) {
        const { status, body } = await json({ cardNumber: number, code: wrong }, `192.0.2.${i}`);
        expect(status).toBe(403);
        expect(body.error.code).toBe("activation.code_wrong");
      }
      // The right code now comes too late.
      const late = await json({ cardNumber: number, code: codes.get(number)! });
      expect([late.status, late.body.error.code]).toEqual([429, "activation.too_many_tries"]);
      expect(await stateOf(id)).toBe("issued");
      const tries = (await findHistoryOf(t.app.services.store.db, "card", id)).filter(
        (e) => e.action === "card.holderActivation",
      );
      expect(tries.map((e) => e.outcome)).toEqual(Array(6).fill("refused"));
    });

    it("limits the tries of one address across cards", async () => {
      const address = "203.0.113.99";
      for (let i = 0; i < 20; i++)
        expect((await json({ cardNumber: "999999999", code: "0000-0000-0000" }, address)).status).toBe(403);
      const blocked = await json(
        { cardNumber: numbers.get(cardIds[2]!)!, code: codes.get(numbers.get(cardIds[2]!)!)! },
        address,
      );
      expect([blocked.status, blocked.body.error.code]).toEqual([429, "activation.too_many_tries"]);
      expect(await stateOf(cardIds[2]!)).toBe("issued");
    });

    it("counts wrong codes tried at once against the card no further than its limit", async () => {
      const id = cardIds[4]!;
      const number = numbers.get(id)!;
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          json({ cardNumber: number, code: "0000-0000-0000" }, `192.0.2.${100 + i}`),
        ),
      );
      expect(answers.every((a) => a.status === 403)).toBe(true);
      expect((await findActivationCode(t.app.services.store.db, id))!.failedTries).toBe(5);
    });

    it("lets the holder and an issuing authority activate the same card at once without an error", async () => {
      const id = cardIds[5]!;
      const number = numbers.get(id)!;
      await t.operator("racer", ["issuingAuthority"]);
      const issuer = apiAs(t.server, await t.login("racer"));
      const [holder, office] = await Promise.all([
        json({ cardNumber: number, code: codes.get(number)! }, "203.0.113.77"),
        issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: id }),
      ]);
      expect([holder.status, office.status].every((s) => s < 500)).toBe(true);
      expect([holder.status, office.status].filter((s) => s === 200)).toHaveLength(1);
      expect(await stateOf(id)).toBe("active");
    });

    it("refuses malformed input with a 400 and records nothing", async () => {
      const before = (await findHistoryOf(t.app.services.store.db, "card", cardIds[3]!)).length;
      for (const code of ["", "123", "7K3M-Q9TR-2XWU", "x".repeat(99)]) {
        const { status, body } = await json({ cardNumber: numbers.get(cardIds[3]!)!, code });
        expect([status, body.error.code]).toEqual([400, "activation.code_malformed"]);
      }
      expect(
        (
          await t.server.inject({
            method: "POST",
            url: "/activate",
            payload: "[]",
            headers: { "content-type": "application/json" },
          })
        ).statusCode,
      ).toBe(400);
      const extra = await json({ cardNumber: "1", code: "0000-0000-0000", admin: "yes" });
      expect(extra.status).toBe(400);
      const huge = await t.server.inject({
        method: "POST",
        url: "/activate",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ cardNumber: "1", code: "x".repeat(100_000) }),
      });
      expect(huge.statusCode).toBe(413);
      expect((await findHistoryOf(t.app.services.store.db, "card", cardIds[3]!)).length).toBe(before);
    });

    it("refuses an expired code; the issuing authority still activates the card", async () => {
      const id = cardIds[3]!;
      const number = numbers.get(id)!;
      t.clock.advance(11 * day);
      const { status, html } = await post({ cardNumber: number, code: codes.get(number)! }, "203.0.113.50");
      expect(status).toBe(410);
      expect(html).toContain("has expired");
      // The form keeps the card number the holder typed.
      expect(html).toContain(`value="${number}"`);
      await t.operator("issuer", ["issuingAuthority"]);
      const issuer = apiAs(t.server, await t.login("issuer"));
      expect((await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: id })).status).toBe(200);
    });
  },
);

describe.each(dialects)("holder activation switched off on %s", (dialect) => {
  const suite = testAppForSuite(dialect);

  it("answers that the office does not offer it", async () => {
    const response = await suite.t.server.inject({
      method: "POST",
      url: "/activate",
      payload: { cardNumber: "1", code: "0000-0000-0000" },
    });
    expect([response.statusCode, response.json().error.code]).toEqual([404, "activation.not_offered"]);
  });
});
