import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.js";
import { csvField, csvRecord, neutraliseCsvField } from "./csv-writer.js";

describe("csv writer", () => {
  // Expected strings written by hand from OWASP's CSV Injection page: a cell starting with
  // = + - @ tab or carriage return gets a leading single quote; every cell is quoted, quotes doubled.
  it.each([
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["+46 70 123", '"\'+46 70 123"'],
    ["-2+3", '"\'-2+3"'],
    ["@SUM(A1:A2)", '"\'@SUM(A1:A2)"'],
    ["\t=1+1", '"\'\t=1+1"'],
    ["\r=1+1", '"\'\r=1+1"'],
    ["\u0000x", '"\'\u0000x"'],
    ["Anna = Berg", '"Anna = Berg"'],
    [" =1+1", '" =1+1"'],
    ["'=already", '"\'=already"'],
    ["Åsa Öberg", '"Åsa Öberg"'],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["", '""'],
  ])("writes %j as %s", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("writes nothing for a missing value and numbers as digits", () => {
    expect(csvField(null)).toBe('""');
    expect(csvField(undefined)).toBe('""');
    expect(csvField(-5)).toBe('"\'-5"');
    expect(csvField(70010001)).toBe('"70010001"');
  });

  it("neutralises only the start of a field", () => {
    expect(neutraliseCsvField("=x")).toBe("'=x");
    expect(neutraliseCsvField("x=")).toBe("x=");
    expect(neutraliseCsvField("")).toBe("");
  });

  it("ends a record with CRLF, and the reading side reads back what was written", () => {
    const record = csvRecord(["7001", "=cmd|' /C calc'!A0", 'a "b", c']);
    expect(record).toBe('"7001","\'=cmd|\' /C calc\'!A0","a ""b"", c"\r\n');
    expect(parseCsv(record + csvRecord(["x\r\ny", null]))).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ["7001", "'=cmd|' /C calc'!A0", 'a "b", c'] },
        { line: 2, fields: ["x\r\ny", ""] },
      ],
    });
  });
});
