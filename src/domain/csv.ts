/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (with "" for a quote and
 * line breaks allowed inside). Returns each record with the line it starts on, so an import
 * can report "line 7: …" exactly as a person sees it in their editor.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvResult =
  | { ok: true; records: CsvRecord[] }
  | { ok: false; line: number; reason: string; tooLong?: true };

/**
 * The longest record (one line, or several when a quoted field holds line breaks) a CSV may
 * have, in characters: a user's fields fit in about a thousand, so anything much longer is a
 * damaged or hostile file, refused before it is read any further.
 */
export const maxCsvRecordLength = 4096;

const quote = 0x22;
const comma = 0x2c;
const lf = 0x0a;
const cr = 0x0d;

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/**
 * Parses CSV text in one pass: fields are sliced out of the input, never built a character at
 * a time, so the work is linear and a record longer than `maxRecordLength` is refused as soon
 * as the scan passes that length.
 */
export function parseCsv(text: string, maxRecordLength = maxCsvRecordLength): CsvResult {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = input.length;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < n) {
    const recordStart = i;
    const recordLine = line;
    const tooLong = () =>
      ({
        ok: false,
        line: recordLine,
        reason: `the record is longer than ${maxRecordLength} characters`,
        tooLong: true,
      }) as const;
    const fields: string[] = [];
    for (;;) {
      if (input.charCodeAt(i) === quote) {
        let value = "";
        let from = i + 1;
        for (;;) {
          const close = input.indexOf('"', from);
          if (close === -1)
            return n - recordStart > maxRecordLength
              ? tooLong()
              : { ok: false, line: recordLine, reason: "a quoted field is not closed" };
          if (close - recordStart > maxRecordLength) return tooLong();
          value += input.slice(from, close);
          if (input.charCodeAt(close + 1) === quote) {
            value += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        line += countLineBreaks(value);
        fields.push(value);
        const next = input.charCodeAt(i);
        if (i < n && next !== comma && next !== lf && !(next === cr && input.charCodeAt(i + 1) === lf))
          return { ok: false, line, reason: "text after a closing quote" };
      } else {
        let end = i;
        for (; end < n; end++) {
          const c = input.charCodeAt(end);
          if (c === comma || c === lf) break;
          if (c === cr && input.charCodeAt(end + 1) === lf) break;
          if (c === quote)
            return { ok: false, line, reason: "a quote in the middle of a field; quote the whole field" };
          if (end - recordStart >= maxRecordLength) return tooLong();
        }
        fields.push(input.slice(i, end));
        i = end;
      }
      if (i - recordStart > maxRecordLength) return tooLong();
      // i is at a comma (another field follows), a line break or the end (the record ends).
      if (i < n && input.charCodeAt(i) === comma) {
        i++;
        continue;
      }
      if (input.charCodeAt(i) === cr) i++;
      if (i < n) i++; // the \n
      break;
    }
    if (i <= n && input.charCodeAt(i - 1) === lf && i > recordStart) line++;
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
  }
  return { ok: true, records };
}
