import { z } from "zod";
import { cardEndStates } from "./card-states.js";
import { certificateEndStates } from "./certificate-states.js";
import { pinLengthBounds, pukLengthBounds } from "./secret-lengths.js";

/**
 * The deployment's process options, with the commercial system's defaults. Each option of
 * Issue multiple cards may be left to the operator (`operatorMayChoose`) or fixed by the
 * deployment; an option the deployment fixes is refused when a request sends it.
 */
export const processOptionsSchema = z.strictObject({
  pinLength: z
    .strictObject({
      operatorMayChoose: z.boolean().default(true),
      default: z.int().min(pinLengthBounds.min).max(pinLengthBounds.max).default(6),
    })
    .default({ operatorMayChoose: true, default: 6 }),
  pukLength: z
    .strictObject({
      operatorMayChoose: z.boolean().default(true),
      default: z.int().min(pukLengthBounds.min).max(pukLengthBounds.max).default(8),
    })
    .default({ operatorMayChoose: true, default: 8 }),
  /** Whether operators may select which of the template's certificates to issue (else all). */
  certificates: z
    .strictObject({ operatorMayChoose: z.boolean().default(true) })
    .default({ operatorMayChoose: true }),
  cardEndState: z
    .strictObject({
      operatorMayChoose: z.boolean().default(true),
      default: z.enum(cardEndStates).default("issued"),
    })
    .default({ operatorMayChoose: true, default: "issued" }),
  certificateEndState: z
    .strictObject({
      operatorMayChoose: z.boolean().default(true),
      default: z.enum(certificateEndStates).default("onHold"),
    })
    .default({ operatorMayChoose: true, default: "onHold" }),
  /** `print` puts the PUK on the PIN letter too; `none` keeps it only encrypted, for unblocking. */
  pukDelivery: z.enum(["none", "print"]).default("none"),
  approvalStep: z.boolean().default(true),
  severalActiveCards: z.boolean().default(false),
  /** Renew multiple cards takes cards in use that end within this many days. */
  renewalWindowDays: z.int().min(1).max(365).default(90),
  /**
   * Holders activate their own cards (issue 12): each card produced as issued gets a one-time
   * code on its PIN letter, good for `codeValidDays`, for the public page /activate.
   */
  holderActivation: z
    .strictObject({
      enabled: z.boolean().default(false),
      codeValidDays: z.int().min(1).max(365).default(30),
    })
    .default({ enabled: false, codeValidDays: 30 }),
});
export type ProcessOptions = z.infer<typeof processOptionsSchema>;

export const defaultProcessOptions: ProcessOptions = processOptionsSchema.parse({});

/**
 * A partial update of the options, as an administrator sends it: only the options sent change
 * (the defaults above must not fill in what was left out).
 */
const { shape } = processOptionsSchema;
export const processOptionsPatchSchema = z.strictObject({
  pinLength: shape.pinLength.unwrap().optional(),
  pukLength: shape.pukLength.unwrap().optional(),
  certificates: shape.certificates.unwrap().optional(),
  cardEndState: shape.cardEndState.unwrap().optional(),
  certificateEndState: shape.certificateEndState.unwrap().optional(),
  pukDelivery: shape.pukDelivery.unwrap().optional(),
  approvalStep: shape.approvalStep.unwrap().optional(),
  severalActiveCards: shape.severalActiveCards.unwrap().optional(),
  renewalWindowDays: shape.renewalWindowDays.unwrap().optional(),
  holderActivation: shape.holderActivation.unwrap().optional(),
});
export type ProcessOptionsPatch = z.infer<typeof processOptionsPatchSchema>;

export function mergeProcessOptions(current: ProcessOptions, patch: ProcessOptionsPatch): ProcessOptions {
  return processOptionsSchema.parse({ ...current, ...patch });
}

/** Whether two option sets are the same (both are parsed by the one schema, so keys come in one order). */
export function isSameOptions(a: ProcessOptions, b: ProcessOptions): boolean {
  return JSON.stringify(processOptionsSchema.parse(a)) === JSON.stringify(processOptionsSchema.parse(b));
}
