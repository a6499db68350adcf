import { z } from "zod";

/**
 * An instant a client bounds a search by: an ISO date (midnight UTC) or a date-time with Z or an
 * offset, made the one form the store keeps instants in and compares as text (toISOString's,
 * "2026-01-01T00:00:00.000Z"). Compared as typed, "…T00:00:00Z" sorted after every instant of
 * its own second ("." before "Z"). A date-time whose UTC form leaves years 0000–9999 would
 * compare wrongly as text ("+010000-…"): refused.
 */
export const isoInstantSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2027-01-31) or date-time (2027-01-31T12:00:00Z)",
  })
  .transform((value, context) => {
    const instant = new Date(value).toISOString();
    if (/^\d{4}-/.test(instant)) return instant;
    context.addIssue({ code: "custom", message: "must be between the years 0000 and 9999", input: value });
    return z.NEVER;
  });
