/**
 * The items in consecutive slices of at most `size`, so that one statement's `IN (…)` list or
 * multi-row `VALUES` stays below SQLite's 32,766 bound variables (PostgreSQL's 65,535).
 */
export function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
