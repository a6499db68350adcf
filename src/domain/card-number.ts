/** Card numbers: the template's prefix, a zero-padded running number, and a Luhn check digit (ISO/IEC 7812). */
export function formatCardNumber(prefix: string, digits: number, sequence: number): string {
  const body = prefix + String(sequence).padStart(digits, "0");
  if (body.length > prefix.length + digits)
    throw new RangeError(`card number sequence ${sequence} exhausted`);
  return body + luhnCheckDigit(body);
}

export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidCardNumber(number: string): boolean {
  return /^\d{2,}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === number.at(-1);
}
