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

/** The first characters of an id, enough to tell batches apart in a table. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
