import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads quoted fields, doubled quotes, CRLF and line breaks inside quotes, with each record's line", () => {
    const result = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n\nlast,row');
    expect(result).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ["a", "b"] },
        { line: 2, fields: ["x, y", 'say "hi"'] },
        { line: 3, fields: ["two\nlines", "z"] },
        { line: 6, fields: ["last", "row"] },
      ],
    });
  });

  it("names the line of an unclosed quote or a stray one", () => {
    expect(parseCsv('a,b\n"open,c')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\nab"c,d')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\n"ab"c,d')).toMatchObject({ ok: false, line: 2 });
  });
});
