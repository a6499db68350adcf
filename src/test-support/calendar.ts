/**
 * The twelve months from March 2026 (the test clock's start), as Tessera names months: written out
 * by hand, the expected value of the tests that count per month over a year.
 */
export const monthsFromMarch2026 = [
  "2026-03",
  "2026-04",
  "2026-05",
  "2026-06",
  "2026-07",
  "2026-08",
  "2026-09",
  "2026-10",
  "2026-11",
  "2026-12",
  "2027-01",
  "2027-02",
] as const;
