import { z } from "zod";
import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { nowIso } from "../services/services.js";
import { findCardById } from "../store/cards.js";
import { findCertificate } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import { defineProcess } from "./process-handler.js";

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

/**
 * Releasing a hold makes a certificate valid, so it is allowed only for a card that is active:
 * an issued card becomes valid through activation alone (its holder has received it), and an
 * inactive one through reactivation. A certificate of no card is released freely.
 */
async function assertCardAllowsRelease(trx: Db, serial: string): Promise<void> {
  const certificate = await findCertificate(trx, serial);
  if (certificate?.state !== "onHold" || !certificate.cardId) return;
  const card = await findCardById(trx, certificate.cardId);
  if (!card || card.state === "active") return;
  throw new TesseraError(
    "certificate.card_not_active",
    card.state === "issued"
      ? `Card ${card.cardNumber} is issued, not yet activated: its certificates become valid when the card is activated, not by releasing a hold.`
      : `Card ${card.cardNumber} is ${card.state}: a hold is released only for a certificate of an active card.`,
    { serial, cardId: card.id, cardState: card.state },
  );
}

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
      const certificate = await services.store.db.transaction().execute(async (trx) => {
        if (change.kind === "release") await assertCardAllowsRelease(trx, input.serial as string);
        return changeCertificateState(
          trx,
          services.audit,
          actor,
          input.serial as string,
          change,
          nowIso(services),
        );
      });
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
