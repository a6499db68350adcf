const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-03-01 10:00` in the operator's time zone: short, sortable, unambiguous in an office. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${formatDate(value)} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const numbers = new Intl.NumberFormat("en");
export function formatNumber(value: number): string {
  return numbers.format(value);
}

/** "1 card", "3 cards". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatNumber(count)} ${count === 1 ? one : many}`;
}

/**
 * The last characters of an id, enough to tell rows apart in a table: an id's first characters
 * are the time it was made (UUID version 7), the same for rows made within a minute.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}

/** A certificate serial shortened for a title or a row: its last, random, hex digits (the first are the time it was made). */
export function shortSerial(serial: string): string {
  return `…${serial.slice(-12)}`;
}
