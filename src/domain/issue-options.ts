import type { cardEndStates } from "./card-states.js";
import type { CardTemplate } from "./card-template.js";
import type { certificateEndStates } from "./certificate-states.js";
import { TesseraError } from "./errors.js";
import type { ProcessOptions } from "./process-options.js";

type CardEndState = (typeof cardEndStates)[number];
type CertificateEndState = (typeof certificateEndStates)[number];

/** The options of Issue multiple cards as an operator sends them; each may be left out. */
export interface IssueOptionsInput {
  pinLength?: number | undefined;
  pukLength?: number | undefined;
  certificates?: string[] | undefined;
  cardEndState?: CardEndState | undefined;
  certificateEndState?: CertificateEndState | undefined;
}

/** The options a batch runs with, every one decided. */
export interface IssueOptions {
  pinLength: number;
  pukLength: number;
  /** Profile names to issue; `null` means all of each template's profiles. */
  certificates: string[] | null;
  cardEndState: CardEndState;
  certificateEndState: CertificateEndState;
  pukPrinted: boolean;
}

/**
 * Decides a batch's options from what the operator sent, the deployment's settings and the
 * templates of the cards: an option the deployment fixes may not be sent; lengths stay within
 * every template's bounds; the chosen certificates must exist in every template; and an active
 * card cannot carry certificates on hold (its holder could not use it).
 */
export function resolveIssueOptions(
  input: IssueOptionsInput,
  deployment: ProcessOptions,
  templates: readonly CardTemplate[],
): IssueOptions {
  const fixed = (name: keyof IssueOptionsInput, label: string) => {
    const setting = deployment[name];
    if (input[name] !== undefined && !setting.operatorMayChoose)
      throw new TesseraError(
        "process.option_disabled",
        `${label} is set by this deployment and cannot be chosen.`,
        {
          field: `options.${name}`,
        },
      );
  };
  fixed("pinLength", "The PIN length");
  fixed("pukLength", "The PUK length");
  fixed("certificates", "Which certificates to issue");
  fixed("cardEndState", "The card end state");
  fixed("certificateEndState", "The certificate end state");

  const pinLength = input.pinLength ?? deployment.pinLength.default;
  const pukLength = input.pukLength ?? deployment.pukLength.default;
  for (const template of templates) {
    const { pinLength: pin, pukLength: puk } = template;
    if (pinLength < pin.min || pinLength > pin.max)
      throw new TesseraError(
        "process.option_invalid",
        `A PIN of ${pinLength} digits is outside ${template.name}'s bounds of ${pin.min} to ${pin.max}.`,
        { field: "options.pinLength" },
      );
    if (pukLength < puk.min || pukLength > puk.max)
      throw new TesseraError(
        "process.option_invalid",
        `A PUK of ${pukLength} digits is outside ${template.name}'s bounds of ${puk.min} to ${puk.max}.`,
        { field: "options.pukLength" },
      );
  }

  let certificates: string[] | null = null;
  if (input.certificates !== undefined) {
    certificates = [...new Set(input.certificates)];
    if (certificates.length === 0)
      throw new TesseraError("process.option_invalid", "Choose at least one certificate to issue.", {
        field: "options.certificates",
      });
    for (const template of templates) {
      const unknown = certificates.filter((name) => !template.profiles.some((p) => p.name === name));
      if (unknown.length > 0)
        throw new TesseraError(
          "process.option_invalid",
          `${template.name} has no certificate ${unknown.join(", ")}; it has ${template.profiles.map((p) => p.name).join(", ")}.`,
          { field: "options.certificates" },
        );
    }
  }

  const cardEndState = input.cardEndState ?? deployment.cardEndState.default;
  const certificateEndState = input.certificateEndState ?? deployment.certificateEndState.default;
  if (cardEndState === "active" && certificateEndState === "onHold")
    throw new TesseraError(
      "process.option_invalid",
      "An active card cannot have its certificates on hold: its holder could not use it. Choose valid certificates, or the card end state issued.",
      { field: "options.certificateEndState" },
    );
  return {
    pinLength,
    pukLength,
    certificates,
    cardEndState,
    certificateEndState,
    pukPrinted: deployment.pukDelivery === "print",
  };
}
