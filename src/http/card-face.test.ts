import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertUser } from "../store/users.js";
import { type ApiClient, loggedInOperators, produceBatch } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { expectWordsWherePopplerReadsThem, popplerWords } from "../test-support/poppler.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";
import { longNamedHolder, newUser } from "../test-support/users.js";

/** The holder of issue 13's finding, as a user of this suite. */
const holder = { ...longNamedHolder, email: "maximiliane@office.example", identifier: "FACE-1" };

/** The words of each line of text an SVG sets, with the line's left edge and baseline. */
function svgLines(svg: string) {
  return [...svg.matchAll(/<text transform="matrix\(1 0 0 1 ([\d.]+) ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map(
    (m) => ({
      x: Number(m[1]),
      baseline: Number(m[2]),
      text: m[3]!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    }),
  );
}

describe.runIf(hasTool("pdftotext", "poppler-utils")).each(dialects)(
  "a card's face as the print file draws it, over HTTP on %s",
  (dialect) => {
    let t: TestApp;
    let registrar: ApiClient;
    let production: ApiClient;
    let cookie: string;
    let cardId: string;
    let dir: string;

    const face = (id: string) =>
      t.server.inject({ method: "GET", url: `/api/v1/cards/${id}/face.svg`, headers: { cookie } });

    beforeAll(async () => {
      t = await createTestApp(dialect, { options: { approvalStep: false } });
      ({ registrar, production } = await loggedInOperators(t, {
        registrar: ["registrationOfficer"],
        production: ["productionAdministrator"],
      }));
      cookie = await t.login("registrar");
      const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", holder);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId: created.body.user.id,
        template: "Employee ID",
      });
      expect(requested.status, JSON.stringify(requested.body)).toBe(200);
      cardId = requested.body.card.id;
      dir = mkdtempSync(path.join(tmpdir(), "tessera-card-face-"));
    });
    afterAll(async () => {
      await t.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("previews a card not yet produced with the name on card, and the template's validity from today", async () => {
      const answer = await face(cardId);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers["content-type"]).toBe("image/svg+xml; charset=utf-8");
      const texts = svgLines(answer.body).map((line) => line.text);
      // Employee ID: valid 1095 days; the test clock stands at 2026-03-01.
      expect(texts).toContain("2029-02-28");
      expect(texts).toContain("Maximiliane von Hohenzollern");
      expect(texts).toContain("Contoso Worldwide Holdings");
      expect(texts).toContain("Records & Archives");
      expect(texts.join(" ")).not.toContain("Theodora");
    });

    it("draws every word the batch's print file holds for the card, where the print file has it", async () => {
      const batchId = await produceBatch(t, production, [cardId]);
      const batch = await production("GET", `/api/v1/batches/${batchId}`);
      expect(batch.body, JSON.stringify(batch.body)).toMatchObject({ state: "completed", done: 1 });
      const print = await t.server.inject({
        method: "GET",
        url: `/api/v1/batches/${batchId}/print-file`,
        headers: { cookie: await t.login("production") },
      });
      expect(print.statusCode, print.body.slice(0, 300)).toBe(200);
      const file = path.join(dir, `${dialect}.pdf`);
      writeFileSync(file, print.rawPayload);
      // Poppler, not Tessera, reads the print file: its words and their boxes, in points from the top left.
      const words = popplerWords(file);
      // The title is too long for the card even at the smallest size: cut with an ellipsis.
      expect(words.filter((w) => w.word.endsWith("…"))).toHaveLength(1);

      const lines = svgLines((await face(cardId)).body);
      expectWordsWherePopplerReadsThem(lines, words);
    });

    it("answers 409 with the reason for a holder the print file would refuse, and 404 for no card", async () => {
      // A person registered before names were checked, with a letter Helvetica cannot print.
      const userId = `face-legacy-${dialect}`;
      await insertUser(
        t.app.services.store.db,
        newUser({
          id: userId,
          identifier: `FACE-LEGACY-${dialect}`,
          email: "legacy@office.example",
          firstName: "Antonín",
          lastName: "Dvořák",
        }),
        new Date().toISOString(),
      );
      const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId,
        template: "Employee ID",
      });
      expect(requested.status, JSON.stringify(requested.body)).toBe(200);
      const refused = await face(requested.body.card.id);
      expect(refused.statusCode).toBe(409);
      expect(JSON.parse(refused.body).error).toMatchObject({
        code: "card.face_unprintable",
        message: expect.stringContaining("ř"),
      });

      const missing = await face("no-such-card");
      expect(missing.statusCode).toBe(404);
      expect(JSON.parse(missing.body).error.code).toBe("card.not_found");
    });
  },
);
