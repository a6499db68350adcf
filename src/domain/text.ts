/**
 * What Tessera accepts as text: well-formed Unicode (no lone surrogate halves) without NUL.
 * A lone surrogate has no UTF-8 form, so a database stores other bytes than the string that
 * was signed into the object history; PostgreSQL refuses NUL in text outright.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this looks for
const invalidText = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` is well-formed Unicode without NUL. */
export function isValidText(text: string): boolean {
  return !invalidText.test(text);
}

/**
 * A string shown safely in an error or the history: NUL and lone surrogates written as `\uXXXX`
 * escapes, at most `max` characters.
 */
export function describeText(text: string, max = 64): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return shown.replace(
    new RegExp(invalidText.source, "g"),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
