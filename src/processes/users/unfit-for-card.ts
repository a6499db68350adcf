import { type CardFieldValues, cardFieldProblems } from "../../domain/card-fields.js";
import { TesseraError } from "../../domain/errors.js";

/**
 * Refuses a person whose fields no card could be made from (see `domain/card-fields.ts`): the
 * answer names each such field and why, as a validation error does, so a form shows every one
 * beside its box.
 *
 * @throws TesseraError `user.unfit_for_card`.
 */
export function refuseUnfitForCard(user: CardFieldValues): void {
  const problems = cardFieldProblems(user);
  const first = problems[0];
  if (!first) return;
  throw new TesseraError("user.unfit_for_card", `${first.path}: ${first.message}.`, {
    field: first.path,
    issues: problems,
  });
}
