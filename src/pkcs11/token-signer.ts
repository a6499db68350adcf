import { createHash } from "node:crypto";
import pkcs11js from "pkcs11js";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { oid } from "../pki/der.js";
import { ecdsaSignatureToDer, type Signer, signatureAlgorithmFor } from "../pki/index.js";
import { generateIdentifiedKeyPair } from "./card-token.js";
import { curveOids, keyPairTemplatesFor } from "./key-pair-templates.js";
import { publicKeyOf } from "./on-token-public-key.js";
import { onToken, returnValueName, type TokenName, tokenError } from "./pkcs11-errors.js";
import { loadPkcs11Module, type Pkcs11Module, type TokenInfo } from "./pkcs11-module.js";

/** Where a signing key lives: the token (by label), the user PIN that opens it, the key's CKA_ID. */
export interface TokenKey {
  readonly tokenLabel: string;
  readonly pin: string;
  readonly keyId: Buffer;
}

/** A {@link Signer} over a private key in a PKCS#11 token, on a session of its own. */
export interface TokenSigner extends Signer {
  readonly token: TokenName;
  /** Waits for the signatures under way, then closes the session (the module stays loaded). */
  close(): Promise<void>;
}

/** What a production worker thread needs to sign with the CA key in a token, on its own session. */
export interface CaTokenAccess {
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** CKA_ID of the CA key, hex. */
  readonly keyId: string;
  readonly pin: string;
}

/**
 * The one token with this label (labels are 32 blank-padded bytes; trailing blanks do not count).
 *
 * @throws TesseraError `pkcs11.token_not_found` when no reader holds it, `pkcs11.token_ambiguous`
 * when several do.
 */
export function findTokenByLabel(module: Pkcs11Module, label: string): TokenInfo {
  const wanted = label.replace(/\s+$/, "");
  const tokens = module.listTokens().filter((token) => token.label === wanted);
  if (tokens.length === 0)
    throw new TesseraError(
      "pkcs11.token_not_found",
      `No token labelled "${wanted}" is in a reader of ${module.path}.`,
      { label: wanted, path: module.path },
    );
  if (tokens.length > 1)
    throw new TesseraError(
      "pkcs11.token_ambiguous",
      `${tokens.length} tokens in the readers of ${module.path} are labelled "${wanted}" (serials ${tokens
        .map((token) => token.serial)
        .join(", ")}); give the CA's token a label of its own.`,
      { label: wanted, path: module.path },
    );
  return tokens[0]!;
}

/**
 * Opens a session on `token` and logs the user in. PKCS#11 keeps the login per application and
 * token, not per session: when another session of this process (another thread) is logged in
 * already, CKR_USER_ALREADY_LOGGED_IN is the state we want.
 */
function openUserSession(
  module: Pkcs11Module,
  token: TokenInfo,
  pin: string,
  { readWrite }: { readWrite: boolean },
): { session: pkcs11js.Handle; name: TokenName } {
  const { api } = module;
  const name: TokenName = { serial: token.serial, label: token.label };
  const session = onToken(name, "Opening a session", () =>
    api.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION | (readWrite ? pkcs11js.CKF_RW_SESSION : 0)),
  );
  try {
    api.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if (returnValueName(error) !== "CKR_USER_ALREADY_LOGGED_IN") {
      api.C_CloseSession(session);
      throw tokenError(error, name, "Logging in as user");
    }
  }
  return { session, name };
}

function findObjects(api: pkcs11js.PKCS11, session: pkcs11js.Handle, template: pkcs11js.Template) {
  api.C_FindObjectsInit(session, template);
  try {
    return api.C_FindObjects(session, 10);
  } finally {
    api.C_FindObjectsFinal(session);
  }
}

/** A CK_ULONG attribute, in host order (little-endian here); the values Tessera reads fit 32 bits. */
const ulong = (value: pkcs11js.Attribute["value"]) => (value as Buffer).readUInt32LE(0);

/**
 * The Tessera key algorithm of a public key object: CKA_KEY_TYPE, then the curve (CKA_EC_PARAMS)
 * or the modulus length.
 *
 * @throws TesseraError `ca.key_unsupported` for any other key.
 */
function keyAlgorithmOfObject(
  api: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  key: pkcs11js.Handle,
): KeyAlgorithm {
  const [type] = api.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_KEY_TYPE }]);
  const keyType = ulong(type!.value);
  if (keyType === pkcs11js.CKK_EC) {
    const [params] = api.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_EC_PARAMS }]);
    for (const [algorithm, curve] of Object.entries(curveOids))
      if (oid(curve).equals(params!.value as Buffer)) return algorithm as KeyAlgorithm;
  } else if (keyType === pkcs11js.CKK_RSA) {
    const [modulus] = api.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_MODULUS }]);
    const bits = (modulus!.value as Buffer).length * 8;
    if (bits === 2048) return "RSA-2048";
    if (bits === 3072) return "RSA-3072";
  }
  throw new TesseraError(
    "ca.key_unsupported",
    "The token's key is not ECDSA P-256 or P-384, nor RSA-2048 or 3072.",
  );
}

/** The module's answers that mean the session is gone, not that the key or the data is wrong. */
const sessionLost = new Set([
  "CKR_SESSION_HANDLE_INVALID",
  "CKR_SESSION_CLOSED",
  "CKR_USER_NOT_LOGGED_IN",
  "CKR_OBJECT_HANDLE_INVALID",
  "CKR_KEY_HANDLE_INVALID",
  "CKR_DEVICE_REMOVED",
  "CKR_TOKEN_NOT_PRESENT",
]);

/** A logged-in session on the key's token and the handles of its key pair there. */
interface KeySession {
  readonly session: pkcs11js.Handle;
  readonly name: TokenName;
  readonly privateKey: pkcs11js.Handle;
  readonly publicKey: pkcs11js.Handle;
}

function openKeySession(module: Pkcs11Module, key: TokenKey): KeySession {
  const { api } = module;
  const token = findTokenByLabel(module, key.tokenLabel);
  const { session, name } = openUserSession(module, token, key.pin, { readWrite: false });
  try {
    const [privateKey, publicKey] = [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY].map(
      (keyClass) =>
        onToken(name, "Finding the CA key", () =>
          findObjects(api, session, [
            { type: pkcs11js.CKA_CLASS, value: keyClass },
            { type: pkcs11js.CKA_ID, value: key.keyId },
          ]),
        )[0],
    );
    if (privateKey === undefined || publicKey === undefined)
      throw new TesseraError(
        "pkcs11.key_not_found",
        `Token ${token.serial} ("${token.label}") holds no ${privateKey === undefined ? "private" : "public"} key with id ${key.keyId.toString("hex")}.`,
        { serial: token.serial, id: key.keyId.toString("hex") },
      );
    return { session, name, privateKey, publicKey };
  } catch (error) {
    api.C_CloseSession(session);
    throw error;
  }
}

/**
 * A {@link Signer} over the private key with CKA_ID `keyId` in the token labelled `tokenLabel`,
 * on a session of its own, logged in with `pin`. ECDSA is hashed here and signed with CKM_ECDSA
 * (SoftHSM has no CKM_ECDSA_SHA384), its raw `r || s` turned into DER; RSA signs with
 * CKM_SHA256_RSA_PKCS. Signing runs on libuv's thread pool (C_SignAsync), so the event loop goes
 * on meanwhile; the signatures of one signer follow one another, since a PKCS#11 session does
 * one operation at a time. A thread other than the one that loaded the module opens its own.
 * A session the module dropped (an HSM restarted, another part of the process re-initialised
 * the module) is opened again once before a signature fails.
 *
 * @throws TesseraError `pkcs11.token_not_found`, `pkcs11.pin_incorrect`, `pkcs11.key_not_found`,
 * `ca.key_unsupported`, naming the token.
 */
export function createTokenSigner(module: Pkcs11Module, key: TokenKey): TokenSigner {
  const { api } = module;
  let current = openKeySession(module, key);
  const { name } = current;
  let keyAlgorithm: KeyAlgorithm;
  let spki: Buffer;
  try {
    const { session, publicKey } = current;
    keyAlgorithm = onToken(name, "Reading the CA key", () => keyAlgorithmOfObject(api, session, publicKey));
    spki = onToken(name, "Reading the CA public key", () =>
      publicKeyOf(api, session, publicKey, keyAlgorithm),
    ).spki;
  } catch (error) {
    api.C_CloseSession(current.session);
    throw error;
  }
  const isEcdsa = curveOids[keyAlgorithm] !== undefined;
  const { hash } = signatureAlgorithmFor(keyAlgorithm);
  const mechanism = { mechanism: isEcdsa ? pkcs11js.CKM_ECDSA : pkcs11js.CKM_SHA256_RSA_PKCS };
  // Large enough for an RSA-3072 signature (384 bytes) and a raw P-384 one (96).
  const signatureSize = 512;

  const signOnce = async (input: Buffer): Promise<Buffer> => {
    api.C_SignInit(current.session, mechanism, current.privateKey);
    return api.C_SignAsync(current.session, input, Buffer.alloc(signatureSize));
  };
  let queue: Promise<unknown> = Promise.resolve();
  let isClosed = false;
  const signNow = async (data: Uint8Array): Promise<Buffer> => {
    if (isClosed) throw new Error("the token signer is closed");
    const input = isEcdsa ? createHash(hash).update(data).digest() : Buffer.from(data);
    let signature: Buffer;
    try {
      try {
        signature = await signOnce(input);
      } catch (error) {
        const lost = returnValueName(error);
        if (!lost || !sessionLost.has(lost)) throw error;
        try {
          api.C_CloseSession(current.session);
        } catch {
          // The session is gone already: that is why it is opened again.
        }
        current = openKeySession(module, key);
        signature = await signOnce(input);
      }
    } catch (error) {
      throw tokenError(error, name, "Signing with the CA key");
    }
    return isEcdsa ? ecdsaSignatureToDer(signature) : Buffer.from(signature);
  };
  return Object.freeze({
    token: name,
    keyAlgorithm,
    publicKey: spki,
    sign(data: Uint8Array) {
      const signature = queue.then(() => signNow(data));
      queue = signature.catch(() => undefined);
      return signature;
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await queue;
      // No C_Logout: the login belongs to every session of this process on the token (the
      // other threads'); closing the last session ends it.
      try {
        api.C_CloseSession(current.session);
      } catch (error) {
        const cause = returnValueName(error);
        // Finalised or dropped already (the module closed first): nothing is left to close.
        if (cause !== "CKR_CRYPTOKI_NOT_INITIALIZED" && !(cause && sessionLost.has(cause)))
          throw tokenError(error, name, "Closing the session");
      }
    },
  });
}

/** A CA key just generated in a token. */
export interface GeneratedTokenKey {
  readonly token: TokenName;
  /** CKA_ID: the key identifier (SHA-1 of the subjectPublicKey), as the CA certificate's SKI. */
  readonly keyId: Buffer;
}

/**
 * Generates a CA key pair in the token labelled `tokenLabel`: the private key is sensitive, never
 * extractable and may only sign (no decrypt, unwrap or derive, which SoftHSM would otherwise
 * allow); its CKA_ID is the key identifier of its public key.
 *
 * @throws TesseraError `pkcs11.token_not_found`, `pkcs11.pin_incorrect`, `pkcs11.operation_failed`.
 */
export async function generateTokenCaKey(
  module: Pkcs11Module,
  request: { tokenLabel: string; pin: string; keyAlgorithm: KeyAlgorithm; label: string },
): Promise<GeneratedTokenKey> {
  const { api } = module;
  const token = findTokenByLabel(module, request.tokenLabel);
  const { session, name } = openUserSession(module, token, request.pin, { readWrite: true });
  try {
    const templates = keyPairTemplatesFor(
      request.keyAlgorithm,
      { sign: true, decrypt: false, derive: false },
      request.label,
    );
    const { id } = await generateIdentifiedKeyPair(api, session, {
      templates,
      keyAlgorithm: request.keyAlgorithm,
      token: name,
      doing: `Generating the ${request.keyAlgorithm} CA key pair`,
    });
    return { token: name, keyId: id };
  } finally {
    api.C_CloseSession(session);
  }
}

/** Destroys the key pair with CKA_ID `keyId` (a CA key whose CA could not be recorded). */
export function deleteTokenKey(module: Pkcs11Module, key: TokenKey): void {
  const { api } = module;
  const token = findTokenByLabel(module, key.tokenLabel);
  const { session, name } = openUserSession(module, token, key.pin, { readWrite: true });
  try {
    onToken(name, "Deleting the CA key pair", () => {
      for (const handle of findObjects(api, session, [{ type: pkcs11js.CKA_ID, value: key.keyId }]))
        api.C_DestroyObject(session, handle);
    });
  } finally {
    api.C_CloseSession(session);
  }
}

/**
 * The CA's token signer in a production worker thread: the module is one per process and the
 * main thread initialised it before the workers started, so loading it here finds it initialised
 * (which `loadPkcs11Module` accepts); the worker never finalises it. The session is the thread's own.
 */
export function openWorkerTokenSigner(access: CaTokenAccess): TokenSigner {
  const module = loadPkcs11Module(access.modulePath);
  return createTokenSigner(module, {
    tokenLabel: access.tokenLabel,
    pin: access.pin,
    keyId: Buffer.from(access.keyId, "hex"),
  });
}
