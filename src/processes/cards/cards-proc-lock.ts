import { z } from "zod";
import { lockReasons, revocationReasonForLock } from "../../domain/certificate-states.js";
import { changeCardCertificates } from "../../services/card-certificates.js";
import { changeCard } from "../../services/card-steps.js";
import { defineCardProcess } from "../card-process.js";

/** Lock card (lost, stolen, damaged, holder left): final; its certificates are revoked with the reason. */
export const cardsProcLock = defineCardProcess(
  "CardsProcLock",
  { reason: z.enum(lockReasons) },
  async (run, card, body) => {
    const { services, trx, actor } = run;
    const reason = revocationReasonForLock[body.reason];
    const revoked = await changeCardCertificates(services, trx, actor, card.id, ["valid", "onHold"], {
      kind: "revoke",
      reason: reason as Exclude<typeof reason, "certificateHold">,
    });
    return changeCard(
      run,
      card,
      { to: "locked", reason: body.reason },
      { lockReason: body.reason, revocationReason: reason, certificatesRevoked: revoked },
    );
  },
);
