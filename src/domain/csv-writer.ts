/**
 * Writing CSV for spreadsheets (RFC 4180, the reading side is csv.ts): every field quoted, a
 * quote doubled, records ended by CRLF. The file is opened by people in Excel, LibreOffice or a
 * word processor's mail merge, which run a cell that looks like a formula: a field is
 * neutralised before it is quoted (OWASP, CSV Injection).
 */

/**
 * What a spreadsheet reads as the start of a formula (OWASP: = + - @, tab and carriage return;
 * OWASP ASVS 1.2.10 adds NUL).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: tab, CR and NUL are what this looks for
const formulaStart = /^[=+\-@\t\r\u0000]/;

/**
 * A field as text no spreadsheet runs: one that starts like a formula gets a leading `'`, which
 * Excel and LibreOffice take as "this is text" (and show without it). A phone number or a
 * negative amount is then text too: the price of never running a stranger's formula.
 */
export function neutraliseCsvField(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/** One field, neutralised and quoted (quotes doubled; commas and line breaks are safe inside). */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return `"${neutraliseCsvField(text).replaceAll('"', '""')}"`;
}

/** One record: its fields separated by commas, ended by CRLF as RFC 4180 §2.1 says. */
export function csvRecord(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/**
 * The byte order mark a UTF-8 CSV starts with: without it Excel reads the file in the
 * computer's legacy code page and "Åsa Öberg" arrives garbled.
 */
export const utf8ByteOrderMark = "\ufeff";
