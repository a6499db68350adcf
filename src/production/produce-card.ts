import { TesseraError } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import { type CertificateSubject, checkLogonIdentifiers, issueCertificate } from "../pki/index.js";
import type { WrittenCard } from "./card-encoder.js";
import { type CardFace, prepareCardFace } from "./card-face.js";
import { cardFaceOfHolder } from "./card-face-svg.js";
import { bufferOf, type ChunkCard, type ChunkJob, type ChunkTemplate } from "./chunk-job.js";
import type { PinLetter } from "./pin-letters.js";
import type { ProductionContext } from "./production-context.js";
import { generateDigits } from "./secrets.js";

/**
 * Whether `error` is a card's own failure — a coded production or PKI error: a name the fonts
 * cannot print, a subject X.509 refuses, a bad photo, a CA that has run out — which fails that
 * card alone. Anything else (a bug, a full disk) is not the card's fault and fails its chunk.
 */
export function isCardFailure(error: unknown): error is TesseraError {
  return error instanceof TesseraError && /^(production|certificate|ca|crl|pkcs11)\./.test(error.code);
}

/** One card made: what is recorded for it, and its page in each part of the chunk. */
export interface ProducedCard {
  readonly certificates: SignedCertificate[];
  /** The card's software token (its keys and certificates behind its PIN), or its chip's serial. */
  readonly written: WrittenCard;
  readonly pukEncrypted: string;
  readonly expiresAt: string;
  readonly face: CardFace;
  readonly letter: PinLetter;
}

/**
 * What happens to one card of a batch ("Click Next to issue the cards"), in order. Its end
 * states are set when the chunk is recorded (`batches/issue-chunk.ts`), in the transaction that
 * records its certificates. Each certificate is pushed to `certificates` as soon as it is
 * signed, so a card that fails later still reports them (they are recorded revoked).
 *
 * @throws TesseraError the card's own failure (see {@link isCardFailure}); anything else is
 * not the card's fault.
 */
export async function produceCard(
  context: ProductionContext,
  job: ChunkJob,
  card: ChunkCard,
  template: ChunkTemplate,
  validity: { notBefore: Date; notAfter: Date },
  certificates: SignedCertificate[],
): Promise<ProducedCard> {
  // 1. The card face and the holder's logon identifiers are checked before anything is signed: a
  // name the card cannot show, or a SID the template needs and the holder lacks, costs no certificate.
  const face = cardFaceOf(card, template, validity.notAfter);
  prepareCardFace(face, template.layout);
  const subject = subjectOf(card);
  checkLogonIdentifiers(subject, template.profiles);

  // 2. A PIN and a PUK of the chosen lengths. A chip an earlier attempt began keeps its PUK: its
  // SO PIN may already be that PUK.
  const pin = generateDigits(job.pinLength);
  const puk = card.resume
    ? context.pukCipher.decrypt(card.resume.pukEncrypted, card.cardId)
    : generateDigits(job.pukLength);
  const pukEncrypted = card.resume?.pukEncrypted ?? context.pukCipher.encrypt(puk, card.cardId);

  // 3. The card taken and set up: a chip is journalled to the card, then given the PUK and PIN.
  const writing = await context.encoderFor(template).begin({
    cardId: card.cardId,
    cardNumber: card.cardNumber,
    pin,
    puk,
    pukEncrypted,
    resumeOnToken: card.resume?.tokenSerial,
  });
  let written: WrittenCard;
  try {
    // 4. For each chosen certificate: a key pair made on the card, its certificate from the CA.
    for (const profile of template.profiles) {
      const publicKey = await writing.generateKeyPair(profile);
      const certificate = await issueCertificate(context.issuer, {
        profile,
        subject,
        publicKey,
        ...validity,
      });
      certificates.push(certificate);
      await writing.addCertificate(profile, certificate);
    }

    // 5. The CA chain written too, the card checked and handed over behind its PIN.
    written = await writing.finish();
  } catch (error) {
    await writing.abandon();
    throw error;
  }

  // 6. The PUK kept encrypted for unblocking; 7. the PIN letter (its page is written with the card face's).
  return {
    certificates,
    written,
    pukEncrypted,
    expiresAt: validity.notAfter.toISOString(),
    face,
    letter: {
      cardNumber: card.cardNumber,
      holder: {
        firstName: card.holder.firstName,
        lastName: card.holder.lastName,
        organization: card.holder.organization ?? undefined,
        addressLines: card.holder.addressLines,
      },
      pin,
      puk: job.pukPrinted ? puk : undefined,
      templateName: card.template,
      batchId: job.batchNumber !== undefined ? String(job.batchNumber) : job.batchId,
      activation:
        card.activationCode && job.activationUrl
          ? { code: card.activationCode, url: job.activationUrl }
          : undefined,
    },
  };
}

/** The face the print file prints: the one the card page's preview draws, from the same holder fields. */
function cardFaceOf(card: ChunkCard, template: ChunkTemplate, expiry: Date): CardFace {
  const photo = card.photo ? bufferOf(card.photo) : undefined;
  return cardFaceOfHolder(
    card.holder,
    { cardNumber: card.cardNumber, expiry, layout: template.layout },
    photo,
  );
}

function subjectOf(card: ChunkCard): CertificateSubject {
  const { holder } = card;
  return {
    commonName: `${holder.firstName} ${holder.lastName}`.trim(),
    organization: holder.organization ?? undefined,
    organizationalUnit: holder.organizationalUnit ?? undefined,
    serialNumber: holder.identifier,
    email: holder.email || undefined,
    upn: holder.upn ?? undefined,
    sid: holder.sid ?? undefined,
  };
}
