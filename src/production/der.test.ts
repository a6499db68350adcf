import { describe, expect, it } from "vitest";
import { children, oid, readSmallInteger, readWhole, sequence, tlv } from "../pki/der.js";
import { bmpString, integer, setOf } from "./der.js";

const hex = (bytes: Buffer) => bytes.toString("hex");

describe("DER encoding", () => {
  it("encodes object identifiers (X.690 §8.19)", () => {
    expect(hex(oid("1.2.840.113549.1.7.1"))).toBe("06092a864886f70d010701");
    expect(hex(oid("2.16.840.1.101.3.4.1.42"))).toBe("060960864801650304012a");
    expect(hex(oid("1.3.14.3.2.26"))).toBe("06052b0e03021a");
  });

  it("encodes minimal non-negative integers", () => {
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(3))).toBe("020103");
    expect(hex(integer(127))).toBe("02017f");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(2048))).toBe("02020800");
    expect(hex(integer(10_000_000))).toBe("020400989680");
    expect(() => integer(-1)).toThrow(RangeError);
  });

  it("uses the short and the long length forms", () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe("047f");
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe("048180");
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe("0482012c");
    expect(hex(tlv(0x04, Buffer.alloc(70_000))).slice(0, 10)).toBe("0483011170");
  });

  it("sorts SET OF members by their encoding (X.690 §11.6)", () => {
    const b = Buffer.from("0401bb", "hex");
    const a = Buffer.from("0401aa", "hex");
    expect(hex(setOf(b, a))).toBe("31060401aa0401bb");
  });

  it("writes BMPString as UTF-16 big-endian", () => {
    expect(hex(bmpString("Aé"))).toBe("1e04004100e9");
  });
});

describe("DER reading (the PKI's reader) of what PKCS#12 writes", () => {
  it("walks what it wrote", () => {
    const encoded = sequence(integer(3), tlv(0x04, Buffer.alloc(200, 1)), sequence(integer(2048)));
    const outer = readWhole(encoded, 0x30);
    const [version, octets, inner] = children(encoded, outer);
    expect(readSmallInteger(encoded, version!)).toBe(3);
    expect(octets!.end - octets!.contentStart).toBe(200);
    expect(readSmallInteger(encoded, children(encoded, inner!)[0]!)).toBe(2048);
  });
});
