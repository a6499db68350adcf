import { z } from "zod";

/** `GET /api/v1/batches/{id}/throughput`: the batch's finished cards per time slice, for its picture. */
export const batchThroughputSchema = z.object({
  from: z.string().describe("When the batch started: the first slice's start"),
  to: z.string().describe("When production ended, or now while it runs: the last slice holds it"),
  sliceSeconds: z.int().describe("Each slice's length in seconds: a round length giving at most 24 slices"),
  slices: z
    .array(z.object({ start: z.string(), done: z.int(), failed: z.int() }))
    .describe(
      "Cards recorded done and failed in each slice, in time order; the slices total the batch's done and failed",
    ),
});

/** `GET /api/v1/certificates/expiring-by-month`: certificates in use ending per month, for the dashboard. */
export const certificatesExpiringByMonthSchema = z.object({
  at: z.string().describe("Now: the first month counts from this instant to its end"),
  months: z
    .array(
      z.object({
        month: z.string().describe("The calendar month (UTC) of the certificates' notAfter, YYYY-MM"),
        valid: z.int(),
        onHold: z.int(),
        count: z.int().describe("valid + onHold"),
      }),
    )
    .describe("The 12 months from now, in order, each listed even when no certificate ends in it"),
});
