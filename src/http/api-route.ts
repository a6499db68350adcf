import type {
  ContextConfigDefault,
  FastifyContextConfig,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from "fastify";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { Access } from "./access.js";

/** What the OpenAPI document says of a route in words. */
interface RouteText {
  summary?: string;
  description?: string;
  /** Left out of the OpenAPI document. */
  hide?: boolean;
}

/** The parts of a route that zod validates (both ways) and the OpenAPI document describes. */
interface RouteSchema extends RouteText {
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response?: Record<string | number, z.ZodType>;
}

/** A handler whose request and answer are typed by the route's zod schemas. */
type ApiHandler<S extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  S,
  ZodTypeProvider
>;

/** What every route declares besides its schemas. */
interface RouteDeclaration<S extends FastifySchema> {
  /** Who may call it: every route says so, nothing is open by default (see access.ts). */
  access: Access;
  /** The rest of the route's config: a download, the process it runs, parameters not text. */
  config?: Omit<FastifyContextConfig, "access">;
  /** The OpenAPI tags, when not the module's own. */
  tags?: string[];
  /** Hand a failed validation to the handler rather than answer it (a process records refusals). */
  attachValidation?: boolean;
  /** The largest body in bytes, when smaller than the server's (a public form). */
  bodyLimit?: number;
  handler: ApiHandler<S>;
}

/** One API route, as a route module lists it under its `METHOD /url`. */
export type ApiRoute = RouteSchema & RouteDeclaration<RouteSchema>;

type RouteKey = `${"GET" | "POST" | "PATCH" | "DELETE"} /${string}`;

/**
 * Declares one route. The point of the call is inference: the handler's request and answer
 * are typed from the schemas beside it, as `server.get` would type them.
 */
export function apiRoute<
  Params extends z.ZodType | undefined = undefined,
  Query extends z.ZodType | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
  Response extends RouteSchema["response"] = undefined,
>(
  route: RouteText & {
    params?: Params;
    querystring?: Query;
    body?: Body;
    response?: Response;
  } & RouteDeclaration<{ params: Params; querystring: Query; body: Body; response: Response }>,
): ApiRoute {
  // The handler was checked against its own schemas here; the table holds routes of any schema.
  return route as unknown as ApiRoute;
}

/**
 * The plugin serving a route module's routes, in the order listed, tagged with the module's
 * OpenAPI tag unless a route names its own.
 */
export function apiRoutes(tag: string, routes: Record<RouteKey, ApiRoute>): FastifyPluginAsyncZod {
  return async (server) => {
    for (const [key, route] of Object.entries(routes)) {
      const [method, url] = key.split(" ") as [string, string];
      const { access, config, tags = [tag], attachValidation, bodyLimit, handler, ...schema } = route;
      server.route({
        method,
        url,
        config: { access, ...config },
        attachValidation,
        ...(bodyLimit !== undefined && { bodyLimit }),
        schema: { tags, ...schema },
        handler,
      });
    }
  };
}
