import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";

/**
 * What relying parties fetch without logging in: the CA certificate (the caIssuers address in
 * every certificate), the CRL (its distribution point) and OCSP (RFC 6960 §A.1: POST with the
 * DER request, or GET with it base64 in the path).
 */
export function pkiRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { ca, crl } = app.services;
  const answer = async (request: Uint8Array) => app.ocsp.answer(request);
  // The CA changes rarely, and a relying party fetches it with every chain it builds.
  const caCertificate = (summary: string, type: string, body: () => string | Uint8Array) =>
    apiRoute({
      access: "public",
      summary,
      handler: async (_request, reply) =>
        reply.type(type).header("cache-control", "public, max-age=3600").send(body()),
    });

  const routes = apiRoutes("pki", {
    "GET /pki/ca.pem": caCertificate(
      "CA certificate and chain (PEM)",
      "application/x-pem-file",
      () => ca.chainPem,
    ),
    "GET /pki/ca.cer": caCertificate(
      "CA certificate (DER)",
      "application/pkix-cert",
      () => ca.identity.certificateDer,
    ),

    "GET /pki/crl": apiRoute({
      access: "public",
      summary: "Current CRL (DER)",
      handler: async (_request, reply) => {
        const current = await crl.current();
        const maxAge = Math.max(
          0,
          Math.floor((Date.parse(current.nextUpdate) - app.services.clock().getTime()) / 1000),
        );
        return (
          reply
            .type("application/pkix-crl")
            // Short enough that a release shows soon; the CRL itself says when the next one is due.
            .header("cache-control", `public, max-age=${Math.min(maxAge, 60)}`)
            .header("last-modified", new Date(current.thisUpdate).toUTCString())
            .header("etag", `"crl-${current.number}"`)
            .send(current.der)
        );
      },
    }),

    "POST /pki/ocsp": apiRoute({
      access: "public",
      summary: "OCSP (RFC 6960), DER request in the body",
      handler: async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return reply
          .type("application/ocsp-response")
          .header("cache-control", "no-store")
          .send(await answer(body));
      },
    }),

    "GET /pki/ocsp/*": apiRoute({
      access: "public",
      // The path is base64 bytes, not text: anything wrong in it is a malformed OCSP request.
      config: { opaqueParams: ["*"] },
      summary: "OCSP (RFC 6960 §A.1), base64 DER request in the path",
      params: z.object({ "*": z.string() }),
      handler: async (request, reply) => {
        const der = decodeOcspPath(request.params["*"]);
        return reply
          .type("application/ocsp-response")
          .header("cache-control", "public, max-age=60")
          .send(await answer(der));
      },
    }),
  });

  return async (server) => {
    server.addContentTypeParser(
      "application/ocsp-request",
      { parseAs: "buffer", bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, body),
    );
    await server.register(routes);
  };
}

/**
 * The DER request of a GET OCSP path, or no bytes (answered as malformedRequest) when the path
 * is not base64. The path may arrive URL-encoded (%2B, %2F, %3D) once more or not; base64
 * never holds a %, so a % that does not decode is simply malformed.
 */
export function decodeOcspPath(path: string): Buffer {
  let base64 = path;
  if (base64.includes("%")) {
    try {
      base64 = decodeURIComponent(base64);
    } catch {
      return Buffer.alloc(0);
    }
  }
  base64 = base64.replace(/\s/g, "");
  return /^[A-Za-z0-9+/]*={0,2}$/.test(base64) ? Buffer.from(base64, "base64") : Buffer.alloc(0);
}
