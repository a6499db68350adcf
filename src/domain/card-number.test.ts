import { describe, expect, it } from "vitest";
import { formatCardNumber, isValidCardNumber, luhnCheckDigit } from "./card-number.js";

describe("card numbers", () => {
  it("ends with the Luhn check digit (ISO/IEC 7812 known answers)", () => {
    expect(luhnCheckDigit("7992739871")).toBe("3");
    expect(isValidCardNumber("79927398713")).toBe(true);
    expect(isValidCardNumber("79927398710")).toBe(false);
    expect(isValidCardNumber("4111111111111111")).toBe(true);
  });

  it("pads the running number to the template's digits after its prefix", () => {
    const number = formatCardNumber("7001", 8, 42);
    expect(number).toMatch(/^700100000042\d$/);
    expect(isValidCardNumber(number)).toBe(true);
    expect(() => formatCardNumber("7", 2, 100)).toThrow(RangeError);
  });
});
