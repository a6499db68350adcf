import { type CardFieldProblem, type CardFieldValues, cardProblemsFor } from "../../domain/card-fields.js";
import type { CardTemplate } from "../../domain/card-template.js";
import { TesseraError } from "../../domain/errors.js";
import { letterAddressProblems } from "../../production/pin-letters.js";

/**
 * The holder's fields no card (of `template`, when given) could be made from: what the card
 * face, the certificates and the template's logon identifiers need (`domain/card-fields.ts`) and
 * what the PIN letter's envelope window holds (`production/pin-letters.ts`).
 */
export function holderProblemsFor(
  user: CardFieldValues,
  template?: Pick<CardTemplate, "profiles"> | undefined,
): CardFieldProblem[] {
  const problems = cardProblemsFor(user, template);
  // A field already named (a name too long for the certificate is also too wide for the letter) once.
  const named = new Set(problems.map((problem) => problem.path));
  return [...problems, ...letterAddressProblems(user).filter((problem) => !named.has(problem.path))];
}

/**
 * Refuses a person whose fields no card could be made from: the answer names each such field
 * and why, as a validation error does, so a form shows every one beside its box.
 *
 * @throws TesseraError `user.unfit_for_card`.
 */
export function refuseUnfitForCard(user: CardFieldValues): void {
  const problems = holderProblemsFor(user);
  const first = problems[0];
  if (!first) return;
  throw new TesseraError("user.unfit_for_card", `${first.path}: ${first.message}.`, {
    field: first.path,
    issues: problems,
  });
}
