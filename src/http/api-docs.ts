import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

/**
 * The API's description: `GET /api/docs` answers the OpenAPI 3.1 document itself (scripts and
 * generators rely on that), and a browser asking for a page there is sent to a maintained
 * viewer (Swagger UI, served from this server: no outside host, the same strict CSP) at
 * `/api/docs/ui/`. Both are public: the document holds routes and schemas, no data.
 */
/** The operator UI's mark (web/public/favicon.svg), in the viewer's top bar instead of its maker's. */
const tesseraLogo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="40" height="40"><title>Tessera</title><rect width="32" height="32" rx="7" fill="#1f4e79"/><rect x="6" y="9" width="20" height="14" rx="2.5" fill="none" stroke="#fff" stroke-width="2"/><rect x="9" y="13" width="5" height="4" rx="1" fill="#fff"/><path d="M17 14h6M17 18h4" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>';

/**
 * The viewer on a phone (issue 13: no page wider than the screen at 390 px): the description's
 * table of error codes and long paths wrap inside the window instead of widening the page.
 */
const narrowScreens = `
.swagger-ui .wrapper { box-sizing: border-box; max-width: 100%; }
.swagger-ui .renderedMarkdown table, .swagger-ui .markdown table { width: 100%; table-layout: fixed; }
.swagger-ui .renderedMarkdown td, .swagger-ui .renderedMarkdown th, .swagger-ui .renderedMarkdown code,
.swagger-ui .markdown td, .swagger-ui .markdown th, .swagger-ui .markdown code,
.swagger-ui .opblock-summary-path, .swagger-ui .opblock-summary-description { overflow-wrap: anywhere; white-space: normal; }
.swagger-ui pre { white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 600px) {
  .swagger-ui .wrapper { padding: 0 8px; }
  .swagger-ui .opblock .opblock-summary { flex-wrap: wrap; }
}
`;

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
      logo: { type: "image/svg+xml", content: Buffer.from(tesseraLogo), href: "/", target: "_self" },
      theme: { title: "Tessera API", css: [{ filename: "tessera.css", content: narrowScreens }] },
    });
  });
}
