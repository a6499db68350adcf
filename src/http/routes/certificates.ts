import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { certificateStates } from "../../domain/certificate-states.js";
import { TesseraError } from "../../domain/errors.js";
import { monthsFrom } from "../../domain/pictures.js";
import { toPem } from "../../pki/index.js";
import { certificateSchema } from "../../processes/schemas.js";
import {
  certificateSortFields,
  countCertificatesEndingPerMonth,
  findCertificate,
  findCertificateDer,
  searchCertificates,
} from "../../store/certificates.js";
import { findObjectNames } from "../../store/object-names.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { searchRoute } from "./paging.js";
import { certificatesExpiringByMonthSchema } from "./picture-schemas.js";

export function certificateRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return apiRoutes("certificates", {
    "GET /api/v1/certificates": searchRoute({
      access: "operator",
      summary: "Search certificates, newest first; q is a serial (hex) or the start of the subject",
      filters: {
        card: z.string().max(64).optional(),
        state: z.enum(certificateStates).optional(),
        q: z.string().max(200).optional(),
      },
      item: certificateSchema,
      sorts: { fields: certificateSortFields, default: { by: "createdAt", direction: "desc" } },
      search: async ({ card, ...filter }, page, _request, sort) => {
        const found = await searchCertificates(db, { ...filter, cardId: card }, page, sort);
        const names = await findObjectNames(db, { cards: found.items.flatMap((c) => c.cardId ?? []) });
        return {
          ...found,
          items: found.items.map((c) => ({
            ...c,
            cardNumber: c.cardId ? (names.cards.get(c.cardId) ?? null) : null,
          })),
        };
      },
    }),

    "GET /api/v1/certificates/expiring-by-month": apiRoute({
      access: "operator",
      summary:
        "How many certificates in use (valid or on hold) end in each of the 12 calendar months (UTC) from now (the dashboard)",
      response: { 200: certificatesExpiringByMonthSchema },
      handler: async () => {
        const now = app.services.clock();
        const months = monthsFrom(now, 12);
        const counts = await countCertificatesEndingPerMonth(
          db,
          ["valid", "onHold"],
          months[0]!.from,
          months.at(-1)!.to,
        );
        const countOf = (month: string, state: string) =>
          counts.find((c) => c.month === month && c.state === state)?.count ?? 0;
        return {
          at: now.toISOString(),
          months: months.map(({ month }) => {
            const valid = countOf(month, "valid");
            const onHold = countOf(month, "onHold");
            return { month, valid, onHold, count: valid + onHold };
          }),
        };
      },
    }),

    "GET /api/v1/certificates/:serial": apiRoute({
      access: "operator",
      summary: "One certificate: JSON; DER with Accept: application/pkix-cert; PEM with ?format=pem",
      params: z.object({ serial: z.string().max(64) }),
      querystring: z.object({ format: z.enum(["json", "pem", "der"]).default("json") }),
      response: { 200: z.object({ certificate: certificateSchema, pem: z.string() }) },
      handler: async (request, reply) => {
        const serial = request.params.serial.toLowerCase();
        const [certificate, der] = await Promise.all([
          findCertificate(db, serial),
          findCertificateDer(db, serial),
        ]);
        if (!certificate || !der) throw new TesseraError("certificate.not_found");
        const wantsDer =
          request.query.format === "der" || request.headers.accept?.includes("application/pkix-cert");
        if (wantsDer)
          return (
            reply
              .type("application/pkix-cert")
              .header("content-disposition", `attachment; filename="${serial}.cer"`)
              // Buffers and typed strings bypass the JSON serializer; only the types need telling.
              .send(der as never)
          );
        if (request.query.format === "pem")
          return reply
            .type("application/x-pem-file")
            .header("content-disposition", `attachment; filename="${serial}.pem"`)
            .send(toPem(der, "CERTIFICATE") as never);
        return { certificate, pem: toPem(der, "CERTIFICATE") };
      },
    }),
  });
}
