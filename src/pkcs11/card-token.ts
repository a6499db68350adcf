import { createHash } from "node:crypto";
import pkcs11js from "pkcs11js";
import type { CertificateProfile, KeyAlgorithm } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
// Not the pki index: a reader's thread loads this, and starts faster without the templates' schemas.
import { ecdsaSignatureToDer } from "../pki/signer.js";
import { readCertificate } from "../pki/x509-certificate.js";
import { keyIdentifier } from "../pki/x509-extensions.js";
import { type KeyPairTemplates, keyPairTemplates } from "./key-pair-templates.js";
import { publicKeyOf } from "./on-token-public-key.js";
import { onToken, type TokenName, tokenError } from "./pkcs11-errors.js";
import type { Pkcs11Module } from "./pkcs11-module.js";

/** CK_TOKEN_INFO.label is 32 bytes, blank-padded; the module does not pad it. */
export function tokenLabel(label: string): string {
  const bytes = Buffer.from(label, "utf8");
  if (bytes.length > 32) throw new RangeError(`a token label has at most 32 bytes: ${label}`);
  return label + " ".repeat(32 - bytes.length);
}

/**
 * Initialises (erases) the token with this serial: every object goes, the SO PIN becomes
 * `soPin` and the label `label`; the user PIN is then unset. The token's slot changes (SoftHSM),
 * its serial stays: find it again by serial.
 */
export function initialiseToken(module: Pkcs11Module, serial: string, soPin: string, label: string): void {
  const token = onToken({ serial }, "Finding the token", () => module.findToken(serial));
  // Named by the label it has, not the one it is about to get.
  onToken({ serial, label: token.label }, `Initialising the token as "${label}"`, () => {
    const { slot } = token;
    // C_InitToken fails with CKR_SESSION_EXISTS while any session of this process is open.
    module.api.C_CloseAllSessions(slot);
    module.api.C_InitToken(slot, soPin, tokenLabel(label));
  });
}

/**
 * Generates a key pair on the token of `session` from `templates`, on libuv's thread pool (RSA
 * takes a tenth of a second on SoftHSM, seconds on a chip or for an RSA-3072 CA key), and names
 * both halves with the key identifier of the public key (SHA-1 of the subjectPublicKey bits), as
 * OpenSC's tools expect and as the certificate's subjectKeyIdentifier says.
 */
export async function generateIdentifiedKeyPair(
  api: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  request: { templates: KeyPairTemplates; keyAlgorithm: KeyAlgorithm; token: TokenName; doing: string },
): Promise<{ id: Buffer; spki: Buffer }> {
  const { templates, keyAlgorithm, token, doing } = request;
  let keys: pkcs11js.KeyPair;
  try {
    keys = await api.C_GenerateKeyPairAsync(
      session,
      templates.mechanism,
      templates.publicKey,
      templates.privateKey,
    );
  } catch (error) {
    throw tokenError(error, token, doing);
  }
  return onToken(token, doing, () => {
    const publicKey = publicKeyOf(api, session, keys.publicKey, keyAlgorithm);
    const id = keyIdentifier(publicKey.bits);
    for (const key of [keys.publicKey, keys.privateKey])
      api.C_SetAttributeValue(session, key, [{ type: pkcs11js.CKA_ID, value: id }]);
    return { id, spki: publicKey.spki };
  });
}

/** Who logs in to a session: the security officer (whose PIN is the PUK) or the card holder. */
export type TokenLogin = { readonly as: "so" | "user"; readonly pin: string };

/** An object on a token, as `listObjects` reports it. */
export interface TokenObject {
  readonly kind: "privateKey" | "publicKey" | "certificate" | "other";
  /** CKA_ID, hex. */
  readonly id: string;
  readonly label: string;
}

/** A key pair just generated on a card. */
export interface GeneratedKey {
  /** CKA_ID of the key pair, for the certificate written beside it: SHA-1 of the public key. */
  readonly id: Buffer;
  readonly label: string;
  /** DER SubjectPublicKeyInfo, for the certificate request. */
  readonly spki: Buffer;
}

/** A read-write session on one card, logged in or not. */
export interface TokenSession {
  readonly token: TokenName;
  /** As SO: set the user PIN (C_InitPIN), also to unblock it. */
  setUserPin(pin: string): void;
  /** Changes the PIN of who is logged in (C_SetPIN): the SO PIN to a PUK, or the user PIN. */
  changePin(oldPin: string, newPin: string): void;
  /**
   * As user: a key pair for the profile, generated on the card (the private key never leaves it),
   * on libuv's thread pool: the slow part of a card leaves the event loop free for other readers.
   */
  generateKeyPair(profile: CertificateProfile): Promise<GeneratedKey>;
  /** As user: writes a certificate beside its key (same CKA_ID), or a CA certificate (no id). */
  writeCertificate(certificate: { der: Buffer; label: string; id?: Buffer | undefined }): void;
  /** As user: the signature of `data` with the private key of `id`, DER for ECDSA, PKCS#1 v1.5 for RSA. */
  sign(id: Buffer, keyAlgorithm: KeyAlgorithm, data: Buffer): Buffer;
  /** The objects this session can see (private ones only when logged in as user). */
  listObjects(): TokenObject[];
  /** Destroys every object this session can see, for redoing an interrupted card. */
  deleteObjects(): void;
  /** Logs out (when logged in) and closes the session. */
  close(): void;
}

const kindOfClass = new Map<number, TokenObject["kind"]>([
  [pkcs11js.CKO_PRIVATE_KEY, "privateKey"],
  [pkcs11js.CKO_PUBLIC_KEY, "publicKey"],
  [pkcs11js.CKO_CERTIFICATE, "certificate"],
]);

/** Hashes for ECDSA by key size (FIPS 186-4 §6.4: the hash at least as long as the order). */
const ecdsaHash: Readonly<Partial<Record<KeyAlgorithm, string>>> = { "P-256": "sha256", "P-384": "sha384" };

/**
 * Opens a read-write session on the token with this serial and logs in as `login` says.
 *
 * @throws TesseraError with the module's cause: `pkcs11.token_not_found`, `pkcs11.pin_incorrect`,
 * `pkcs11.card_removed`, …, naming the token.
 */
export function openTokenSession(module: Pkcs11Module, serial: string, login?: TokenLogin): TokenSession {
  const { api } = module;
  const info = onToken({ serial }, "Finding the token", () => module.findToken(serial));
  const token: TokenName = { serial, label: info.label };
  const session = onToken(token, "Opening a session", () =>
    api.C_OpenSession(info.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION),
  );
  const step = <T>(doing: string, run: () => T): T => onToken(token, doing, run);
  if (login) {
    try {
      step(`Logging in as ${login.as === "so" ? "security officer" : "user"}`, () =>
        api.C_Login(session, login.as === "so" ? pkcs11js.CKU_SO : pkcs11js.CKU_USER, login.pin),
      );
    } catch (error) {
      api.C_CloseSession(session);
      throw error;
    }
  }

  const findObjects = (template: pkcs11js.Template): pkcs11js.Handle[] => {
    api.C_FindObjectsInit(session, template);
    try {
      return api.C_FindObjects(session, 1000);
    } finally {
      api.C_FindObjectsFinal(session);
    }
  };

  return {
    token,
    setUserPin: (pin) => step("Setting the user PIN", () => api.C_InitPIN(session, pin)),
    changePin: (oldPin, newPin) => step("Changing the PIN", () => api.C_SetPIN(session, oldPin, newPin)),
    async generateKeyPair(profile) {
      const label = `${profile.name} key`;
      const key = await generateIdentifiedKeyPair(api, session, {
        templates: keyPairTemplates(profile, label),
        keyAlgorithm: profile.keyAlgorithm,
        token,
        doing: `Generating the ${profile.name} key pair`,
      });
      return { ...key, label };
    },
    writeCertificate({ der, label, id }) {
      step(`Writing the certificate "${label}"`, () => {
        const certificate = readCertificate(der);
        api.C_CreateObject(session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
          { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: false },
          // PKCS#11 §4.6.2: 1 = token user, 2 = authority.
          { type: pkcs11js.CKA_CERTIFICATE_CATEGORY, value: id ? 1 : 2 },
          { type: pkcs11js.CKA_ID, value: id ?? Buffer.alloc(0) },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_SUBJECT, value: certificate.subject },
          { type: pkcs11js.CKA_ISSUER, value: certificate.issuer },
          { type: pkcs11js.CKA_VALUE, value: certificate.der },
        ]);
      });
    },
    sign(id, keyAlgorithm, data) {
      return step("Signing", () => {
        const [key] = findObjects([
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_ID, value: id },
        ]);
        if (key === undefined)
          throw new TesseraError(
            "pkcs11.key_not_found",
            `Token ${serial} ("${token.label}") holds no private key with id ${id.toString("hex")}.`,
            { serial, id: id.toString("hex") },
          );
        const hash = ecdsaHash[keyAlgorithm];
        // SoftHSM has no CKM_ECDSA_SHA256: hash here and sign the digest with CKM_ECDSA.
        if (hash) {
          api.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, key);
          const raw = api.C_Sign(session, createHash(hash).update(data).digest(), Buffer.alloc(256));
          return ecdsaSignatureToDer(raw);
        }
        api.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
        return Buffer.from(api.C_Sign(session, data, Buffer.alloc(512)));
      });
    },
    listObjects() {
      return step("Listing the objects", () =>
        findObjects([]).map((object) => {
          const [kind, id, label] = api.C_GetAttributeValue(session, object, [
            { type: pkcs11js.CKA_CLASS },
            { type: pkcs11js.CKA_ID },
            { type: pkcs11js.CKA_LABEL },
          ]);
          return {
            // A CK_ULONG in host order (little-endian here); object classes fit its low 32 bits.
            kind: kindOfClass.get((kind!.value as Buffer).readUInt32LE(0)) ?? "other",
            id: (id!.value as Buffer).toString("hex"),
            label: (label!.value as Buffer).toString("utf8"),
          };
        }),
      );
    },
    deleteObjects() {
      step("Deleting the objects", () => {
        for (const object of findObjects([])) api.C_DestroyObject(session, object);
      });
    },
    close() {
      step("Closing the session", () => {
        if (login) api.C_Logout(session);
        api.C_CloseSession(session);
      });
    },
  };
}

/**
 * Unblock style "SO login with the PUK, then C_InitPIN" (OpenSC's user_pin_unblock_style 1 and
 * SoftHSM): sets `newPin` on the card with this serial. A wrong PUK is `pkcs11.pin_incorrect`.
 */
export function unblockUserPin(module: Pkcs11Module, serial: string, puk: string, newPin: string): void {
  const session = openTokenSession(module, serial, { as: "so", pin: puk });
  try {
    session.setUserPin(newPin);
  } finally {
    session.close();
  }
}
