import type { RouteOptions } from "fastify";
import type { Access } from "../http/access.js";
import type { ServerHooks } from "../http/server.js";

/**
 * A route as the test server declared it, once for each method it answers (not the HEAD and
 * OPTIONS Fastify adds). Its URL and schema are taken as declared: Fastify hands one route's
 * options on again with another URL (a prefix's `/ui` and `/ui/`). Its config is read when
 * asked: a later onRoute hook may still add to it (the file server marks the UI's files).
 */
export class DeclaredRoute {
  readonly url: string;
  readonly schema: RouteOptions["schema"];

  constructor(
    readonly method: string,
    private readonly options: RouteOptions,
  ) {
    this.url = options.url;
    this.schema = options.schema;
  }

  get access(): Access | undefined {
    return this.options.config?.access;
  }

  /** A file of the operator UI (served by @fastify/static, which marks the route with its root). */
  get servesFile(): boolean {
    return Boolean(this.options.config && "rootPath" in this.options.config);
  }
}

/**
 * The route table of a test server, read as the real server declares it: pass `hooks` to
 * createTestApp, and `routes` fills as the server is built.
 */
export function recordRoutes(): { routes: DeclaredRoute[]; hooks: ServerHooks } {
  const routes: DeclaredRoute[] = [];
  const onRoute = (route: RouteOptions) => {
    for (const method of [route.method].flat())
      if (method !== "HEAD" && method !== "OPTIONS") routes.push(new DeclaredRoute(method, route));
  };
  return { routes, hooks: { onRoute } };
}
