/**
 * Issue 13, finding 6: "the card preview differs from the printed face". The card page and the
 * batch page now show the face as the print file draws it. The judges are poppler, not Tessera:
 * `pdftotext -bbox` reads the words of the batch's real print file and where they stand, and
 * `pdftoppm` paints its page; Chromium shows the preview, and the two pictures are compared
 * pixel by pixel in Chromium's own canvas.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { createSampleJpeg, withExifOrientation } from "../../src/production/sample-photos.js";
import { expectWordsWherePopplerReadsThem, popplerWords } from "../../src/test-support/poppler.js";
import { apiAs } from "../../src/test-support/test-app.js";
import { hasTool } from "../../src/test-support/tools.js";
import { longNamedHolder } from "../../src/test-support/users.js";
import { apiAsOperator } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

/**
 * Issue 13's holder, with a photo from a camera held upside down: its EXIF orientation says to
 * turn it by 180°. The print file turns it (print-file.test.ts); the preview must turn it once.
 */
const holder = {
  ...longNamedHolder,
  email: "maximiliane.preview@office.example",
  identifier: "E2E-FACE-1",
  photo: withExifOrientation(createSampleJpeg(), 3).toString("base64"),
};

/**
 * The lines of text of the preview the page shows: the SVG behind its image (a data URL), read by
 * Chromium's own XML parser.
 */
async function previewLines(page: Page, image: ReturnType<Page["getByTestId"]>) {
  const source = (await image.getAttribute("src")) ?? "";
  const prefix = "data:image/svg+xml;charset=utf-8,";
  expect(source.startsWith(prefix)).toBe(true);
  return page.evaluate(
    (svg) => {
      const document = new DOMParser().parseFromString(svg, "image/svg+xml");
      return Array.from(document.querySelectorAll("text")).map((text) => {
        const box = (text.getAttribute("transform") ?? "").match(/[-\d.]+/g)!.map(Number);
        return { text: text.textContent ?? "", x: box[4]!, baseline: box[5]! };
      });
    },
    decodeURIComponent(source.slice(prefix.length)),
  );
}

/**
 * What share of the two pictures differs clearly, both drawn by Chromium onto a canvas
 * of the same size: the preview as the page has it, and poppler's painting of the print file.
 */
async function differingPixels(page: Page, previewUrl: string, popplerPng: Buffer): Promise<number> {
  return page.evaluate(
    async ({ previewUrl, poppler }) => {
      const width = 485;
      const height = 306;
      const pixels = async (source: string) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext("2d")!;
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, width, height);
        context.drawImage(image, 0, 0, width, height);
        return context.getImageData(0, 0, width, height).data;
      };
      const [a, b] = [await pixels(previewUrl), await pixels(`data:image/png;base64,${poppler}`)];
      // Blocks of 6 × 6 pixels compared by their mean colour: the two rasterize glyphs each their
      // own way (hinting, the font standing in for Helvetica), but a line, a bar or a photo out of
      // place changes its blocks.
      const block = 6;
      let differing = 0;
      let blocks = 0;
      for (let y = 0; y + block <= height; y += block)
        for (let x = 0; x + block <= width; x += block) {
          const sums = [0, 0, 0, 0, 0, 0];
          for (let dy = 0; dy < block; dy++)
            for (let dx = 0; dx < block; dx++) {
              const i = ((y + dy) * width + x + dx) * 4;
              for (let c = 0; c < 3; c++) {
                sums[c]! += a[i + c]!;
                sums[c + 3]! += b[i + c]!;
              }
            }
          const distance = Math.max(
            ...[0, 1, 2].map((c) => Math.abs(sums[c]! - sums[c + 3]!) / (block * block)),
          );
          if (distance > 48) differing++;
          blocks++;
        }
      return differing / blocks;
    },
    { previewUrl, poppler: popplerPng.toString("base64") },
  );
}

describeInChromium("the card face preview is the printed face", (suite) => {
  it.runIf(hasTool("pdftotext", "poppler-utils"))(
    "shows on the card page and the batch page what the print file prints, word for word and place for place",
    async () => {
      const { t } = suite.ui;
      const registrar = await apiAsOperator(t, "registrar");
      const approver = await apiAsOperator(t, "approver");
      const production = await apiAsOperator(t, "production");
      const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", holder);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId: created.body.user.id,
        template: "Employee ID",
      });
      const card = requested.body.card as { id: string; cardNumber: string };
      await approver("POST", "/api/v1/processes/CardsProcApprove", { cardId: card.id, decision: "approve" });

      // Before production: the card page shows the face the printer will get, name on card and all.
      const page = await suite.openAs("chief");
      await page.goto(`${suite.ui.baseUrl}/cards/${card.id}`);
      const before = page.getByTestId("card-face");
      await before.waitFor();
      const alt = (await before.getAttribute("alt")) ?? "";
      expect(alt).toContain("Maximiliane von Hohenzollern");
      expect(alt).toContain(card.cardNumber);
      expect(alt).not.toContain("Theodora");
      await page.getByText("the validity counts from the day of production").waitFor();

      const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
        cardIds: [card.id],
      });
      expect(order.status).toBe(202);
      await t.app.runner.idle();
      const batch = (await production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
      expect(batch, JSON.stringify(batch)).toMatchObject({ state: "completed", done: 1 });

      // The batch's real print file, read by poppler.
      const dir = mkdtempSync(path.join(tmpdir(), "tessera-e2e-face-"));
      try {
        const print = await suite.ui.t.server.inject({
          method: "GET",
          url: `/api/v1/batches/${batch.id}/print-file`,
          headers: { cookie: await t.login("production") },
        });
        expect(print.statusCode).toBe(200);
        const file = path.join(dir, "print.pdf");
        writeFileSync(file, print.rawPayload);
        const words = popplerWords(file);
        // The print file cut the title to fit and printed the name on card.
        expect(words.filter((w) => w.word.endsWith("…"))).toHaveLength(1);
        expect(words.map((w) => w.word)).toContain("Hohenzollern");
        expect(words.map((w) => w.word)).not.toContain("Theodora");
        execFileSync("pdftoppm", ["-png", "-r", "144", "-singlefile", file, path.join(dir, "poppler")]);
        const popplerPng = readFileSync(path.join(dir, "poppler.png"));

        // The batch page's preview of the card, in Chromium: the same words at the same places.
        await page.goto(`${suite.ui.baseUrl}/batches/${batch.id}`);
        const preview = page.getByTestId("card-face").first();
        await preview.waitFor();
        await preview.scrollIntoViewIfNeeded();
        const lines = await previewLines(page, preview);
        for (const { word, line } of expectWordsWherePopplerReadsThem(lines, words))
          if (line.text.startsWith(word.word)) expect(Math.abs(line.x - word.xMin)).toBeLessThan(0.01);
        // And the same picture: band, photo, barcode and text where poppler paints them.
        const differing = await differingPixels(page, (await preview.getAttribute("src"))!, popplerPng);
        expect(differing).toBeLessThan(0.01);
        await screenshot(page, "batch-card-face-preview");
        expect(await seriousAccessibilityViolations(page)).toEqual([]);

        // The card page, after production, shows the same face.
        await page.goto(`${suite.ui.baseUrl}/cards/${card.id}`);
        const after = page.getByTestId("card-face");
        await after.waitFor();
        expect((await previewLines(page, after)).map((l) => l.text).sort()).toEqual(
          lines.map((l) => l.text).sort(),
        );
        await page.getByText("As the print file draws it, from the holder's data today.").waitFor();
        await screenshot(page, "card-face-preview");
        expect(await seriousAccessibilityViolations(page)).toEqual([]);
        expect(errorsThrownBy(page)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await page.context().close();
      }
    },
  );

  it("shows the server's reason where the printer would refuse the holder", async () => {
    const { t } = suite.ui;
    const cookie = await t.login("registrar");
    const registrar = apiAs(t.server, cookie);
    // A holder whose unit holds a character the card's font lacks, as stored before names were checked.
    const created = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
      ...holder,
      identifier: "E2E-FACE-2",
      email: "second.preview@office.example",
      photo: undefined,
    });
    expect(created.status).toBe(200);
    await t.app.services.store.db
      .updateTable("users")
      .set({ organizational_unit: "Dvořák Hall" })
      .where("id", "=", created.body.user.id)
      .execute();
    const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
      userId: created.body.user.id,
      template: "Employee ID",
    });
    const page = await suite.openAs("chief");
    await page.goto(`${suite.ui.baseUrl}/cards/${requested.body.card.id}`);
    await page.getByText(/The card's face cannot be printed: .*ř/).waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
