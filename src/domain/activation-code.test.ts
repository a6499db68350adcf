import { describe, expect, it } from "vitest";
import { activationCodeFrom, formatActivationCode, normalizeActivationCode } from "./activation-code.js";

describe("activation codes", () => {
  it("take each byte's low five bits as a character of Crockford's alphabet", () => {
    // 0..11 pick "0".."9", "A", "B"; 32 wraps to "0"; 31 is "Z"; 255 is "Z".
    expect(activationCodeFrom(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toBe("0123456789AB");
    expect(activationCodeFrom(Uint8Array.from([32, 31, 255, 18, 19, 20, 21, 22, 26, 27, 28, 29]))).toBe(
      "0ZZJKMNPTVWX",
    );
    expect(() => activationCodeFrom(new Uint8Array(11))).toThrow();
  });

  it("are printed in groups of four", () => {
    expect(formatActivationCode("7K3MQ9TR2XWD")).toBe("7K3M-Q9TR-2XWD");
  });

  it("are read back as typed on a phone: case, spaces and dashes do not matter, O I L read as digits", () => {
    expect(normalizeActivationCode(" 7k3m-q9tr 2xwd ")).toBe("7K3MQ9TR2XWD");
    expect(normalizeActivationCode("OIL0-1111-2222")).toBe("011011112222");
    expect(normalizeActivationCode("7K3M-Q9TR-2XW")).toBeUndefined();
    expect(normalizeActivationCode("7K3M-Q9TR-2XWDD")).toBeUndefined();
    expect(normalizeActivationCode("7K3M-Q9TR-2XWU")).toBeUndefined();
    expect(normalizeActivationCode("")).toBeUndefined();
  });
});
