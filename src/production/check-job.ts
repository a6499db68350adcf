import { TesseraError } from "../domain/errors.js";
import { pinLengthBounds, pukLengthBounds } from "../domain/secret-lengths.js";
import type { ChunkJob } from "./chunk-job.js";
import { printableText } from "./printable-text.js";

/**
 * Refuses a job that cannot be produced at all, before any card of it is made: a job crosses a
 * thread boundary, so it is checked here rather than trusted.
 *
 * @throws TesseraError `production.options_invalid`, saying what is wrong.
 */
export function checkJob(job: ChunkJob): void {
  const invalid = (reason: string) => new TesseraError("production.options_invalid", reason);
  const within = (n: number, bounds: { min: number; max: number }) =>
    Number.isInteger(n) && n >= bounds.min && n <= bounds.max;
  if (!within(job.pinLength, pinLengthBounds)) {
    throw invalid(
      `The PIN length must be an integer from ${pinLengthBounds.min} to ${pinLengthBounds.max}, not ${job.pinLength}.`,
    );
  }
  if (!within(job.pukLength, pukLengthBounds)) {
    throw invalid(
      `The PUK length must be an integer from ${pukLengthBounds.min} to ${pukLengthBounds.max}, not ${job.pukLength}.`,
    );
  }
  if (Number.isNaN(new Date(job.notBefore).getTime())) {
    throw invalid(`notBefore is not a valid time: ${job.notBefore}.`);
  }
  if (!job.printFilePath || !job.pinLettersPath || job.printFilePath === job.pinLettersPath) {
    throw invalid("The print-file and PIN-letter parts need two different paths.");
  }
  if (printableText(job.organizationName ?? "", "organization name") === "") {
    throw invalid("The organization name, the sender of the PIN letters, must not be empty.");
  }
  if (!Array.isArray(job.cards)) throw invalid("The job has no list of cards.");
  for (const card of job.cards) {
    const template = Object.hasOwn(job.templates, card.template) ? job.templates[card.template] : undefined;
    if (!template) {
      throw invalid(
        `Card ${card.cardId} names the template "${card.template}", which the job does not carry.`,
      );
    }
    if (template.profiles.length === 0) {
      throw invalid(`The template "${card.template}" has no certificate profile to issue.`);
    }
    if (!Number.isInteger(template.validityDays) || template.validityDays < 1) {
      throw invalid(`The template "${card.template}" has no valid number of validity days.`);
    }
    if (card.activationCode !== undefined) {
      if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(card.activationCode))
        throw invalid(`Card ${card.cardId} has an activation code that is not three groups of four.`);
      if (!job.activationUrl || !URL.canParse(job.activationUrl))
        throw invalid("Cards carry activation codes, but the job has no activation page to print with them.");
    }
  }
}
