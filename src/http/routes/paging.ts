import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Access } from "../access.js";
import { type ApiRoute, apiRoute } from "../api-route.js";

/** The `:id` of a route naming one object. */
export const idParamsSchema = z.object({ id: z.string().max(64) });

export const pageQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.int(), nextCursor: z.string().nullable() });

/** Which page a search answers, as the store's searches take it. */
type PageRequest = Pick<z.output<typeof pageQuerySchema>, "cursor" | "limit">;

/**
 * A paged search: `cursor` and `limit` in the query choose the page, the other query fields
 * (`filters`) narrow the search, and the answer is a page of `item`. One declaration, so the
 * query and the answer of every search stay alike.
 */
export function searchRoute<const Filters extends z.ZodRawShape, Item extends z.ZodType>(route: {
  access: Access;
  summary: string;
  filters: Filters;
  item: Item;
  search: (
    filter: z.output<z.ZodObject<Filters>>,
    page: PageRequest,
    request: FastifyRequest,
  ) => Promise<z.input<ReturnType<typeof pageSchema<Item>>>>;
}): ApiRoute {
  const { access, summary, filters, item, search } = route;
  return apiRoute({
    access,
    summary,
    querystring: pageQuerySchema.extend(filters),
    response: { 200: pageSchema(item) },
    handler: async (request) => {
      const { cursor, limit, ...filter } = request.query as PageRequest;
      return search(filter as z.output<z.ZodObject<Filters>>, { cursor, limit }, request);
    },
  });
}
