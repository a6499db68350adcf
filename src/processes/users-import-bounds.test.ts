import { describe, expect, it } from "vitest";
import { maxCsvRecordLength } from "../domain/csv.js";
import { testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";

describe.each(dialects)("a CSV import with a hostile line, on %s", (dialect) => {
  const { registrar } = testAppForSuite(dialect, { operators: ["registrar"] }).ops;

  it("refuses a 15 MB single line with a code naming the line, and creates nobody", async () => {
    const csv = `firstName,lastName,email,identifier\nAnn,Lee,ann@example.org,ID-1\n${"a".repeat(15 * 1024 * 1024)}\n`;
    const started = performance.now();
    const r = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv });
    console.info(`15 MB line answered in ${(performance.now() - started).toFixed(0)} ms`);
    expect([r.status, r.body.error.code, r.body.error.details]).toEqual([
      400,
      "user.import_line_too_long",
      { field: "csv", line: 3 },
    ]);
    expect(r.body.error.message).toMatch(/^Line 3: /);
    expect((await registrar("GET", "/api/v1/users?q=ID-1")).body.total).toBe(0);
  });

  it("still imports records up to the bound", async () => {
    const title = "T".repeat(64);
    const padding = " ".repeat(maxCsvRecordLength - 200);
    const csv = `firstName,lastName,email,identifier,title\nAnn,Lee,ann@example.org,ID-2,"${title}${padding}"\n`;
    const r = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv });
    expect(r.body).toEqual({ created: 1, errors: [] });
  });
});
