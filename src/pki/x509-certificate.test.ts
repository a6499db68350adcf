import { describe, expect, it } from "vitest";
import { expectEachBitVaries } from "../test-support/random-bits.js";
import { checkSerial, newSerial, serialToHex } from "./x509-certificate.js";

describe("new serial numbers", () => {
  it("are 16 positive, minimal octets: the time they were made, then 80 random bits", () => {
    const before = Date.now();
    const serial = newSerial();
    const after = Date.now();
    expect(serial).toHaveLength(16);
    expect(() => checkSerial(serial)).not.toThrow();
    const ms = serial.readUIntBE(0, 6);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it("sort by the time they were made, and differ within one millisecond", () => {
    const at = Date.now();
    const serials = [newSerial(at), newSerial(at), newSerial(at + 1), newSerial(at + 1000)].map(serialToHex);
    expect(new Set(serials).size).toBe(4);
    expect(serials.slice(2)).toEqual([...serials.slice(2)].sort());
    expect(serials[0]! < serials[2]! && serials[1]! < serials[2]!).toBe(true);
  });

  it("stay positive and minimal until the year 6429", () => {
    expect(() => checkSerial(newSerial(Date.parse("6429-01-01T00:00:00Z")))).not.toThrow();
    expect(newSerial(Date.parse("6430-01-01T00:00:00Z"))[0]! & 0x80).toBe(0x80);
  });

  it("keep 80 random bits: across serials of one millisecond, each of those bits is both 0 and 1", () => {
    const at = Date.now();
    const tails = Array.from({ length: 200 }, () => BigInt(`0x${serialToHex(newSerial(at)).slice(12)}`));
    expectEachBitVaries(tails, 80);
  });
});
