/**
 * The key types a CA Tessera creates may have, by the names the settings use
 * (`TESSERA_CA_KEY_TYPE`, `ca.keyType` in the configuration file, `tessera ca init --key-type`).
 * P-384 is the default; an RSA CA is for relying parties without ECDSA (Heimdal 7.8, older
 * appliances), which refuse every certificate an ECDSA CA signs, RSA ones included.
 */
export const caKeyTypes = {
  p384: "P-384",
  rsa3072: "RSA-3072",
  rsa4096: "RSA-4096",
} as const;
export type CaKeyType = keyof typeof caKeyTypes;

/** The key type of a CA created when no setting names one. */
export const defaultCaKeyType: CaKeyType = "p384";

/** The names, in the order settings and messages list them. */
export const caKeyTypeNames = Object.keys(caKeyTypes) as [CaKeyType, ...CaKeyType[]];

export function isCaKeyType(value: string): value is CaKeyType {
  return Object.hasOwn(caKeyTypes, value);
}

/** The key type name of a CA key's algorithm, or undefined for one no setting names (an imported P-256 CA). */
export function caKeyTypeOf(keyAlgorithm: string): CaKeyType | undefined {
  return caKeyTypeNames.find((name) => caKeyTypes[name] === keyAlgorithm);
}
