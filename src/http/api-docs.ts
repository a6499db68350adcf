import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

/**
 * The API's description: `GET /api/docs` answers the OpenAPI 3.1 document itself (scripts and
 * generators rely on that), and a browser asking for a page there is sent to a maintained
 * viewer (Swagger UI, served from this server: no outside host, the same strict CSP) at
 * `/api/docs/ui/`. Both are public: the document holds routes and schemas, no data.
 */
export async function registerApiDocs(server: FastifyInstance): Promise<void> {
  server.get(
    "/api/docs",
    { config: { access: "public" }, schema: { hide: true } },
    async (request, reply) => {
      if (request.headers.accept?.startsWith("text/html")) return reply.redirect("/api/docs/ui/");
      return server.swagger();
    },
  );
  await server.register(async (scope) => {
    // The viewer's own routes are public, declared as every route must be.
    scope.addHook("onRoute", (route) => {
      route.config = { ...route.config, access: "public" };
    });
    await scope.register(swaggerUi, {
      routePrefix: "/api/docs/ui",
      uiConfig: { docExpansion: "list", deepLinking: true, defaultModelsExpandDepth: 0 },
      staticCSP: false,
    });
  });
}
