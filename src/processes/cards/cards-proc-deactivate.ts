import { changeCardCertificates } from "../../services/card-certificates.js";
import { changeCard } from "../../services/card-steps.js";
import { defineCardProcess } from "../card-process.js";

/** Deactivate card: an active card becomes inactive, its valid certificates go on hold. */
export const cardsProcDeactivate = defineCardProcess("CardsProcDeactivate", async (run, card, body) => {
  const { services, trx, actor } = run;
  const held = await changeCardCertificates(services, trx, actor, card.id, ["valid"], { kind: "hold" });
  return changeCard(run, card, { to: "inactive", reason: body.reason ?? null }, { certificatesHeld: held });
});
