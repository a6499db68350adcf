import { z } from "zod";
import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import { findProcess } from "../domain/process-catalog.js";
import { defineProcess } from "./process-handler.js";
import { nowIso } from "./services.js";

const serialSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([0-9a-f]{2}){1,20}$/, "a serial number in hexadecimal");

export const certificateSchema = z.object({
  serial: z.string(),
  cardId: z.string().nullable(),
  profile: z.string(),
  subject: z.string(),
  state: z.enum(["onHold", "valid", "revoked", "expired"]),
  notBefore: z.string(),
  notAfter: z.string(),
  revokedAt: z.string().nullable(),
  revocationReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

function certificateProcess<K extends CertificateChange["kind"]>(
  symbolicName: string,
  kind: K,
  body: z.ZodObject<{ serial: typeof serialSchema } & z.ZodRawShape>,
) {
  const definition = findProcess(symbolicName)!;
  return defineProcess({
    definition,
    status: 200,
    body,
    result: z.object({ certificate: certificateSchema }),
    async run(services, actor, input) {
      const change = (kind === "revoke" ? { kind, reason: input.reason } : { kind }) as CertificateChange;
      const certificate = await services.store.db
        .transaction()
        .execute((trx) =>
          changeCertificateState(
            trx,
            services.audit,
            actor,
            input.serial as string,
            change,
            nowIso(services),
          ),
        );
      return { certificate };
    },
  });
}

export const certificatesHold = certificateProcess(
  "CertificatesProcHold",
  "hold",
  z.strictObject({ serial: serialSchema }),
);
export const certificatesRelease = certificateProcess(
  "CertificatesProcRelease",
  "release",
  z.strictObject({ serial: serialSchema }),
);
export const certificatesRevoke = certificateProcess(
  "CertificatesProcRevoke",
  "revoke",
  z.strictObject({
    serial: serialSchema,
    reason: z.enum([
      "unspecified",
      "keyCompromise",
      "affiliationChanged",
      "superseded",
      "cessationOfOperation",
    ]),
  }),
);
