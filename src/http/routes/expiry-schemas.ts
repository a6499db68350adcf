import { z } from "zod";
import { isoInstantSchema } from "../../domain/iso-instant.js";

/** `expiresBefore` in a search's query: an instant (domain/iso-instant.ts). */
export const expiresBeforeQuery = isoInstantSchema.describe(
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
