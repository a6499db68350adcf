import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { storeForSuite } from "../test-support/store.js";
import { insertBatchPart, readBatchPart } from "./batch-parts.js";
import { insertBatch } from "./batches.js";
import type { Dialect } from "./database.js";

const at = "2026-01-01T00:00:00.000Z";

/**
 * A part like those production writes: one page's content stream again and again, as a part's
 * pages repeat their layout.
 */
function pdfLike(bytes: number): Buffer {
  const page = Buffer.from(
    `BT /F1 10 Tf 72 720 Td (PIN letter) Tj ET q 1 0 0 1 0 0 cm ${randomBytes(16).toString("hex")} Q\n`,
  );
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / page.length) }, () => page)).subarray(0, bytes);
}

/** A store holding one batch, whose parts the tests write. */
const withBatch = (dialect: Dialect) =>
  storeForSuite(dialect, (db) =>
    insertBatch(
      db,
      {
        id: "b1",
        // A batch whose options need nothing: the parts do not read them.
        process: "CardsBoProcActivateMultiple",
        options: {},
        createdBy: "o1",
        createdByName: "production",
        chunks: 1,
        total: 250,
      },
      at,
    ),
  );

describe.each(dialects)("a batch's print-file and PIN-letter parts on %s", (dialect) => {
  const suite = withBatch(dialect);

  it("gives back each part's bytes as written", async () => {
    const data = pdfLike(400_000);
    await insertBatchPart(suite.db, { batchId: "b1", kind: "print", chunk: 1, pages: 250, data });
    // Compared as bytes: a deep comparison of 400,000 elements takes a second.
    expect((await readBatchPart(suite.db, "b1", "print", 1))?.equals(data)).toBe(true);
  });
});

describe.runIf(dialects.includes("postgres"))("a batch's parts on PostgreSQL, how they are kept", () => {
  const suite = withBatch("postgres");

  // A chunk of 250 cards writes ≈ 850 KB of parts. PostgreSQL's own compression (pglz) took
  // ≈ 2 ms a part of it; LZ4, where the server has it, a fifth of that, for about the same size.
  it("compresses the parts with LZ4 where the server has it", async () => {
    const data = pdfLike(400_000);
    await insertBatchPart(suite.db, { batchId: "b1", kind: "pinLetters", chunk: 1, pages: 250, data });
    // The column's own setting, not the server's default_toast_compression, which may be lz4 too.
    const { rows } = await sql<{ method: string | null; column: string; lz4: boolean }>`
      select pg_column_compression(data) as method,
             (select attcompression from pg_attribute
               where attrelid = 'batch_parts'::regclass and attname = 'data') as column,
             exists (select from pg_settings where name = 'default_toast_compression'
                      and 'lz4' = any(enumvals)) as lz4
        from batch_parts where batch_id = 'b1' and kind = 'pinLetters'`.execute(suite.db);
    const { lz4 } = rows[0]!;
    expect(rows).toEqual([{ method: lz4 ? "lz4" : "pglz", column: lz4 ? "l" : "", lz4 }]);
  });
});
