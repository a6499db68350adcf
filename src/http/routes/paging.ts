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
  z.object({
    items: z.array(item),
    total: z.int(),
    totalIsLowerBound: z
      .boolean()
      .optional()
      .describe(
        "True when the search stopped counting at total: more than total match. A search by words of a name (q of cards and users) counts at most 1,000",
      ),
    nextCursor: z.string().nullable(),
  });

/** Which page a search answers, as the store's searches take it. */
type PageRequest = Pick<z.output<typeof pageQuerySchema>, "cursor" | "limit">;

/** Which way a list is read: `asc` (A to Z, oldest first) or `desc`. */
export const orderSchema = z.enum(["asc", "desc"]);

/** A list's sortable fields and the order it is read in when none is asked. */
export interface Sorts<Field extends string> {
  fields: readonly [Field, ...Field[]];
  default: { by: Field; direction: "asc" | "desc" };
}

/** The order a search was asked for, with the list's default filled in. */
export interface SortOrder<Field extends string> {
  by: Field;
  direction: "asc" | "desc";
}

/**
 * A paged search: `cursor` and `limit` in the query choose the page, `sort` and `order` (where
 * the list declares `sorts`) the order, the other query fields (`filters`) narrow the search, and
 * the answer is a page of `item`. One declaration, so the query and the answer of every search
 * stay alike.
 */
export function searchRoute<
  const Filters extends z.ZodRawShape,
  Item extends z.ZodType,
  const Field extends string = never,
>(route: {
  access: Access;
  summary: string;
  filters: Filters;
  item: Item;
  sorts?: Sorts<Field>;
  search: (
    filter: z.output<z.ZodObject<Filters>>,
    page: PageRequest,
    request: FastifyRequest,
    sort: SortOrder<Field>,
  ) => Promise<z.input<ReturnType<typeof pageSchema<Item>>>>;
}): ApiRoute {
  const { access, summary, filters, item, sorts, search } = route;
  const sortQuery = sorts
    ? {
        sort: z
          .enum(sorts.fields)
          .optional()
          .describe(
            `The field the list is sorted by: ${sorts.fields.join(", ")}; by default ${sorts.default.by}. A new order starts again from the first page (no cursor).`,
          ),
        order: orderSchema
          .optional()
          .describe(
            `asc or desc; by default ${sorts.default.direction} for ${sorts.default.by}, asc for any other field`,
          ),
      }
    : {};
  return apiRoute({
    access,
    summary,
    querystring: pageQuerySchema
      .extend({
        total: z
          .enum(["exact"])
          .optional()
          .describe(
            "exact: count every match; by default a search by the holder's name counts no further than 1,000 (totalIsLowerBound)",
          ),
      })
      .extend(sortQuery)
      .extend(filters),
    response: { 200: pageSchema(item) },
    handler: async (request) => {
      const { cursor, limit, total, sort, order, ...filter } = request.query as PageRequest & {
        total?: "exact";
        sort?: Field;
        order?: "asc" | "desc";
      };
      const by = sort ?? sorts?.default.by;
      const sortOrder = {
        by,
        direction: order ?? (by === sorts?.default.by ? sorts?.default.direction : "asc"),
      } as SortOrder<Field>;
      const pageRequest = { cursor, limit, exactTotal: total === "exact" };
      return search(filter as z.output<z.ZodObject<Filters>>, pageRequest, request, sortOrder);
    },
  });
}
