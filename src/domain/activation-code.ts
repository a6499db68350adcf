/**
 * The one-time code a holder activates their own card with (issue 12), printed on the PIN
 * letter. Crockford's base32 alphabet: no I, L, O or U, so what is read off paper is typed back
 * right; 12 characters are 60 bits, and the tries per card are few.
 */
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const activationCodeLength = 12;

/** A code from `random` (at least 12 bytes from a CSPRNG): each byte's low five bits pick a character. */
export function activationCodeFrom(random: Uint8Array): string {
  if (random.length < activationCodeLength) throw new Error("an activation code needs 12 random bytes");
  let code = "";
  for (let i = 0; i < activationCodeLength; i++) code += alphabet[random[i]! & 31];
  return code;
}

/** As printed and shown: three groups of four ("7K3M-Q9TR-2XWD"). */
export function formatActivationCode(code: string): string {
  return code.match(/.{1,4}/g)!.join("-");
}

/**
 * What a holder typed, as the code it means: spaces and dashes dropped, lower case raised, and
 * the letters Crockford's alphabet reads as digits (O → 0, I and L → 1) mapped; undefined when
 * it cannot be a code (wrong length, a character outside the alphabet).
 */
export function normalizeActivationCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
  if (code.length !== activationCodeLength) return undefined;
  for (const character of code) if (!alphabet.includes(character)) return undefined;
  return code;
}
