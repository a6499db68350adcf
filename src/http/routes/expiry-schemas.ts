import { z } from "zod";

/**
 * `expiresBefore` in a search's query: an ISO date (midnight UTC) or a date-time with Z or an
 * offset, made the one form the store compares as text (toISOString's). A date-time whose UTC
 * form leaves years 0000–9999 would compare wrongly as text ("+010000-…"): refused.
 */
export const expiresBeforeQuery = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2027-01-31) or date-time (2027-01-31T12:00:00Z)",
  })
  .transform((value, context) => {
    const instant = new Date(value).toISOString();
    if (/^\d{4}-/.test(instant)) return instant;
    context.addIssue({ code: "custom", message: "must be between the years 0000 and 9999", input: value });
    return z.NEVER;
  })
  .describe(
    "Only cards in use (issued or active) that expire before this instant: an ISO date (midnight UTC) or date-time",
  );

/** `GET /api/v1/cards/expiring`: the dashboard's expiring cards per template. */
export const expiringCardsSchema = z.object({
  at: z.string().describe("When the windows start (now)"),
  windows: z
    .array(z.object({ days: z.int(), expiresBefore: z.iso.date() }))
    .describe(
      "Each window's end: the UTC day after today + days, the expiresBefore of GET /api/v1/cards that lists the window's cards",
    ),
  templates: z.array(
    z.object({
      template: z.string(),
      expiring: z
        .array(z.object({ days: z.int(), count: z.int() }))
        .describe(
          "Cards in use of this template that expire within each window (a window holds the shorter ones)",
        ),
    }),
  ),
});
