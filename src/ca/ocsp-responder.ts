import type { Logger } from "pino";
import type { Clock } from "../domain/actor.js";
import { answerOcspRequest, buildOcspErrorResponse, type OcspCertStatus } from "../pki/index.js";
import { findCertificate } from "../store/certificates.js";
import type { Store } from "../store/database.js";
import type { CertificateAuthority } from "./certificate-authority.js";

/**
 * RFC 6960 responder that answers from the database, so a hold or its release shows the
 * moment its transaction commits. On hold answers revoked with reason certificateHold.
 */
export function createOcspResponder(params: {
  store: Store;
  ca: CertificateAuthority;
  clock: Clock;
  log: Logger;
  /** How long relying parties may cache an answer (its nextUpdate). */
  validitySeconds: number;
}) {
  const { store, ca, clock, log } = params;
  const lookup = async (serialHex: string): Promise<OcspCertStatus> => {
    const certificate = await findCertificate(store.db, serialHex);
    if (!certificate) return { kind: "unknown" };
    if (certificate.revokedAt && certificate.revocationReason && certificate.state !== "valid")
      return {
        kind: "revoked",
        revokedAt: new Date(certificate.revokedAt),
        reason: certificate.revocationReason,
      };
    return { kind: "good" };
  };
  return {
    async answer(request: Uint8Array): Promise<Buffer> {
      try {
        await ca.renewResponderIfDue();
        return await answerOcspRequest({
          request,
          ca: ca.identity,
          responder: ca.responder(),
          now: clock(),
          validitySeconds: params.validitySeconds,
          lookup,
        });
      } catch (error) {
        log.error({ err: error }, "OCSP answer failed");
        return buildOcspErrorResponse("internalError");
      }
    },
  };
}

export type OcspResponder = ReturnType<typeof createOcspResponder>;
