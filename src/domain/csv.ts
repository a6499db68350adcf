/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (with "" for a quote and
 * line breaks allowed inside). Returns each record with the line it starts on, so an import
 * can report "line 7: …" exactly as a person sees it in their editor.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; reason: string };

export function parseCsv(text: string): CsvResult {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let fieldStarted = false;
  let quotedField = false;

  const endField = () => {
    fields.push(field);
    field = "";
    fieldStarted = false;
    quotedField = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };

  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (fieldStarted)
        return { ok: false, line, reason: "a quote in the middle of a field; quote the whole field" };
      inQuotes = true;
      quotedField = true;
      fieldStarted = true;
    } else if (c === ",") {
      endField();
    } else if (c === "\r" && input[i + 1] === "\n") {
      // CRLF: the \n ends the record
    } else if (c === "\n") {
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (quotedField) return { ok: false, line, reason: "text after a closing quote" };
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) return { ok: false, line: recordLine, reason: "a quoted field is not closed" };
  endRecord();
  return { ok: true, records };
}
