import { randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RouteOptions,
} from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { checkDatabase } from "../store/database.js";
import { registerAccessControl } from "./access.js";
import { registerApiDocs } from "./api-docs.js";
import { answerUnreadableRequest, answerUnreadableUrl } from "./bad-url.js";
import { documentedErrors, registerErrorHandling } from "./errors.js";
import { registerMetrics } from "./metrics.js";
import { auditRoutes } from "./routes/audit.js";
import { batchRoutes } from "./routes/batches.js";
import { cardRoutes } from "./routes/cards.js";
import { certificateRoutes } from "./routes/certificates.js";
import { configurationRoutes } from "./routes/configuration.js";
import { holderActivationRoutes } from "./routes/holder-activation.js";
import { operatorRoutes } from "./routes/operators.js";
import { pkiRoutes } from "./routes/pki.js";
import { processRoutes } from "./routes/processes.js";
import { sessionRoutes } from "./routes/session.js";
import { userRoutes } from "./routes/users.js";
import type { ServedApp } from "./served-app.js";
import { registerTextValidation } from "./text-validation.js";
import { registerWebUi } from "./web-ui.js";

const contentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  // Mantine sets CSS variables in style attributes; scripts stay strictly 'self'.
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * One log line per answered request, at the configured level (`debug` in a terminal, so the
 * start-up's URL and password stay readable); nothing when a request arrives.
 */
class RequestLog extends LogController {
  constructor(private readonly level: "info" | "debug") {
    super();
  }
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) request.log.error({ ...line, err: error }, "request failed");
    else request.log[this.level](line, "request answered");
  }
}

/** The HTTP face of Tessera: the API (with its OpenAPI document), and the operator UI. */
export interface ServerHooks {
  /** Sees every route as it is declared (the authorization matrix test reads the route table). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildServer(app: ServedApp, hooks: ServerHooks = {}): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.log as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    frameworkErrors: answerUnreadableUrl(app),
    clientErrorHandler: answerUnreadableRequest,
    bodyLimit: 25 * 1024 * 1024,
    logController: new RequestLog(app.config.requestLogLevel ?? "info"),
    // X-Forwarded-For is believed only from the configured proxies (TESSERA_TRUSTED_PROXIES):
    // from anyone else it is the client's own word, and request.ip stays the peer's address.
    trustProxy: app.config.trustedProxies.length > 0 ? [...app.config.trustedProxies] : false,
  }).withTypeProvider<ZodTypeProvider>();

  if (hooks.onRoute) server.addHook("onRoute", hooks.onRoute);
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  // State changes take JSON only: no form posts, so no cross-site form can reach them.
  server.removeContentTypeParser(["text/plain"]);

  const isHttps = app.config.publicUrl.startsWith("https://");
  server.addHook("onSend", async (request, reply, payload) => {
    reply.header("content-security-policy", contentSecurityPolicy);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-request-id", request.id);
    // Served as https: browsers must never fall back to plain http (cookies, login) for a year.
    if (isHttps) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if (request.url.startsWith("/api/") && !reply.hasHeader("cache-control"))
      reply.header("cache-control", "no-store");
    return payload;
  });

  await server.register(cookie);
  await server.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera API",
        version: "1",
        description: [
          "Identity and smart-card management. Processes run through `POST /api/v1/processes/{symbolicName}`;",
          'reads are plain resources. Every error is `{"error": {"code", "message"}}` with a 4xx status.',
          "Log in with `POST /api/v1/session` (cookie) or send `Authorization: Bearer <token>`.",
          "",
          documentedErrors(),
        ].join("\n"),
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "tessera_session" },
          token: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const hasUi = await registerWebUi(server);
  registerErrorHandling(server, hasUi);
  registerAccessControl(server, app);
  registerTextValidation(server, app);
  registerMetrics(server, app);

  server.get("/healthz", { config: { access: "public" }, schema: { hide: true } }, async () => {
    await checkDatabase(app.services.store.db);
    return { status: "ok" };
  });
  await registerApiDocs(server);

  await server.register(sessionRoutes(app));
  await server.register(operatorRoutes(app));
  await server.register(processRoutes(app));
  await server.register(userRoutes(app));
  await server.register(cardRoutes(app));
  await server.register(auditRoutes(app));
  await server.register(configurationRoutes(app));
  await server.register(certificateRoutes(app));
  await server.register(pkiRoutes(app));
  await server.register(batchRoutes(app));
  await server.register(holderActivationRoutes(app));
  return server;
}
