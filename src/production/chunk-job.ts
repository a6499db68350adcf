import type { webcrypto } from "node:crypto";
import type {
  CardTemplate,
  CertificateProfile,
  Pkcs11Encoder,
  Pkcs12Format,
} from "../domain/card-template.js";
import type { ErrorCode } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { CaTokenAccess } from "../pkcs11/token-signer.js";

/**
 * The contract between the batch runner (main thread, owns the database) and a production
 * worker thread (owns the slow work). A batch is produced in chunks; a chunk is all-or-nothing:
 * the worker makes everything for its cards in memory and writes the chunk's print-file and
 * PIN-letter parts, then the runner records the certificates, tokens and card states in one
 * transaction. A crash before that commit leaves the chunk's cards untouched (`approved`,
 * claimed); the chunk is produced again and its part files overwritten. The certificates of a
 * lost attempt were never recorded and never left Tessera: they existed only in that worker.
 */

/** Given once to every worker thread. */
export interface WorkerInit {
  /** The CA certificate (DER). */
  caCertificate: Uint8Array;
  /**
   * The CA's key as a non-extractable WebCrypto key (see `toNonExtractableKey`): the worker
   * signs card certificates with it and cannot export it. No key bytes are ever sent. Exactly
   * one of this and {@link caToken} is set.
   */
  caSigningKey?: webcrypto.CryptoKey;
  /**
   * When the CA key lives in a PKCS#11 token: the module (initialised by the main thread), the
   * token, the key id and the PIN; the worker opens a session of its own on it.
   */
  caToken?: CaTokenAccess;
  /** Certificates above the CA, nearest first: they go into each software token. */
  caChain: Uint8Array[];
  /** Base URL written into certificates (CRL, OCSP, CA issuers). */
  publicUrl: string;
  /** AES-256-GCM key for the stored PUK. */
  pukKey: Uint8Array;
  /** PBKDF2 iterations of the PKCS#12 protection (2048 by default). */
  pkcs12Iterations?: number;
}

export interface ChunkTemplate {
  name: string;
  /** What writes its cards (see `card-encoders.ts`). */
  encoder: CardTemplate["encoder"];
  /** The chip card type's settings, for encoder `pkcs11`. */
  pkcs11?: Pkcs11Encoder;
  /** How a software token's PKCS#12 file is protected; absent is `modern`. */
  pkcs12Format?: Pkcs12Format;
  /** Only the profiles the operator chose to issue. */
  profiles: CertificateProfile[];
  validityDays: number;
  layout: { title: string; accentColor: string };
}

export interface ChunkCard {
  cardId: string;
  cardNumber: string;
  template: string;
  holder: {
    firstName: string;
    lastName: string;
    email: string;
    identifier: string;
    organization: string | null;
    organizationalUnit: string | null;
    title: string | null;
    upn: string | null;
    sid: string | null;
    addressLines: string[];
  };
  photo: Uint8Array | null;
  /** The holder's one-time activation code (formatted), printed on the PIN letter when set. */
  activationCode?: string;
  /**
   * A chip card an earlier attempt began and did not finish: its token, to be redone, and the
   * PUK (encrypted) its SO PIN may already be, which the card keeps.
   */
  resume?: { tokenSerial: string; pukEncrypted: string };
}

export interface ChunkJob {
  batchId: string;
  /** The batch's short number, as operators and PIN letters name it. */
  batchNumber?: number;
  /** 1-based chunk number: also the part number of its PDF files. */
  chunk: number;
  templates: Record<string, ChunkTemplate>;
  cards: ChunkCard[];
  pinLength: number;
  pukLength: number;
  /** `onHold` certificates are recorded revoked with certificateHold (the runner does that). */
  certificateEndState: "onHold" | "valid";
  /** Print the PUK on the PIN letter too. */
  pukPrinted: boolean;
  /** The office's name, the sender of the PIN letters. */
  organizationName: string;
  /** The page where holders activate their cards with the code: set when the cards carry codes. */
  activationUrl?: string;
  /** Certificates start here (ISO time); they end `validityDays` later, never beyond the CA. */
  notBefore: string;
  /**
   * Where to write the chunk's parts. The worker writes each to `${path}.tmp` and renames it to
   * `path` before answering, so to this process a part file is complete or absent (not synced:
   * `write-parts.ts` says why).
   */
  printFilePath: string;
  pinLettersPath: string;
}

export type ChunkCardResult =
  | {
      cardId: string;
      ok: true;
      certificates: SignedCertificate[];
      /** The software token: PKCS#12 with the keys, certificates and CA chain, protected by the PIN. */
      token?: Uint8Array | undefined;
      /** The chip card's token serial, when a PKCS#11 encoder wrote the card. */
      tokenSerial?: string | undefined;
      /** The PUK, encrypted with the PUK key for this card id (see production/secrets.ts). */
      pukEncrypted: string;
      expiresAt: string;
      /** Milliseconds of worker time for this card. */
      ms: number;
      released?: undefined;
    }
  | {
      cardId: string;
      ok: false;
      code: ErrorCode;
      reason: string;
      /** Certificates already signed before the failure: the runner records them revoked. */
      certificates: SignedCertificate[];
      ms: number;
      released?: undefined;
    }
  | {
      /**
       * Not made and not failed: the card was not begun because its batch no longer wanted it
       * (`CardNotWanted`). It goes back free, as a cancelled batch's cards not yet taken do.
       */
      cardId: string;
      ok: false;
      released: true;
      reason: string;
      /** Always empty: nothing is signed for a card not begun. */
      certificates: SignedCertificate[];
      ms: number;
    };

/** A card not begun because its batch no longer wanted it. */
export type ReleasedCardResult = Extract<ChunkCardResult, { released: true }>;
/** A card made or failed: what a chunk records as done or failed. */
export type RecordedCardResult = Exclude<ChunkCardResult, { released: true }>;

export function isReleased(card: ChunkCardResult): card is ReleasedCardResult {
  return card.released === true;
}

export interface ChunkResult {
  batchId: string;
  chunk: number;
  cards: ChunkCardResult[];
  /** Pages written to each part (a failed card has no page). */
  pages: number;
}

/** A Buffer over the same memory: structured clone turns Buffers into plain Uint8Arrays. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
