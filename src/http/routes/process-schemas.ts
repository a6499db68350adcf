import { z } from "zod";

/** One process of `GET /api/v1/processes`: the catalog entry with this deployment's options. */
export const catalogEntrySchema = z.object({
  symbolicName: z.string(),
  name: z.string(),
  component: z.string(),
  kind: z.enum(["single", "batch"]),
  requiredCardStates: z.array(z.string()),
  roles: z.array(z.string()),
  outcome: z.string(),
  /** This deployment's settings for each option the process takes. */
  options: z.record(z.string(), z.unknown()),
  /** Whether the calling operator's roles allow it. */
  allowed: z.boolean(),
});
