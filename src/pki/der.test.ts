import { afterAll, describe, expect, it } from "vitest";
import { hasTool } from "../test-support/tools.js";
import {
  children,
  decodeOid,
  decodeTime,
  encodeNode,
  explicitNode,
  namedBitString,
  node,
  octetStringNode,
  oid,
  readElement,
  readSmallInteger,
  readWhole,
  sequence,
  sequenceNode,
  smallInteger,
  Tag,
  tlv,
  unsignedToContent,
  x509Time,
} from "./der.js";
import { createWorkFolder, run } from "./test-kit.js";

const hex = (buf: Uint8Array) => Buffer.from(buf).toString("hex");
const malformed = expect.objectContaining({ name: "TesseraError", code: "der.malformed" });

describe("DER encoding", () => {
  it("encodes lengths in the fewest octets", () => {
    expect(hex(tlv(Tag.octetString, Buffer.alloc(0)))).toBe("0400");
    expect(hex(tlv(Tag.octetString, Buffer.alloc(127))).slice(0, 4)).toBe("047f");
    expect(hex(tlv(Tag.octetString, Buffer.alloc(128))).slice(0, 6)).toBe("048180");
    expect(hex(tlv(Tag.octetString, Buffer.alloc(256))).slice(0, 8)).toBe("04820100");
    expect(hex(tlv(Tag.octetString, Buffer.alloc(70_000))).slice(0, 10)).toBe("0483011170");
  });

  it("encodes integers, OIDs and named bit strings", () => {
    expect(hex(smallInteger(0))).toBe("020100");
    expect(hex(smallInteger(127))).toBe("02017f");
    expect(hex(smallInteger(128))).toBe("02020080");
    expect(hex(unsignedToContent(600_000n))).toBe("0927c0");
    expect(hex(oid("1.2.840.10045.4.3.3"))).toBe("06082a8648ce3d040303");
    expect(hex(oid("2.5.29.20"))).toBe("0603551d14");
    expect(hex(oid("1.3.6.1.4.1.311.20.2.3"))).toBe("060a2b060104018237140203");
    expect(decodeOid(oid("1.3.6.1.4.1.311.20.2.3").subarray(2))).toBe("1.3.6.1.4.1.311.20.2.3");
    expect(decodeOid(oid("2.999.3").subarray(2))).toBe("2.999.3");
    expect(() => decodeOid(Buffer.from([0x2a, 0x80, 0x01]))).toThrow(malformed);
    // X.690 §11.2.2: trailing zero bits are dropped (keyUsage digitalSignature = 03 02 07 80).
    expect(hex(namedBitString([0]))).toBe("03020780");
    expect(hex(namedBitString([5, 6]))).toBe("03020106");
    expect(hex(namedBitString([0, 5, 6]))).toBe("03020186");
    expect(hex(namedBitString([8]))).toBe("0303070080");
  });

  it("writes UTCTime through 2049 and GeneralizedTime from 2050, whole seconds", () => {
    expect(x509Time(new Date("2049-12-31T23:59:59.999Z")).toString("latin1").slice(2)).toBe("491231235959Z");
    expect(x509Time(new Date("2049-12-31T23:59:59Z"))[0]).toBe(Tag.utcTime);
    const later = x509Time(new Date("2050-01-01T00:00:00Z"));
    expect(later[0]).toBe(Tag.generalizedTime);
    expect(later.toString("latin1").slice(2)).toBe("20500101000000Z");
    expect(decodeTime(later, readWhole(later, Tag.generalizedTime)).toISOString()).toBe(
      "2050-01-01T00:00:00.000Z",
    );
    expect(() => x509Time(new Date(Number.NaN))).toThrow(malformed);
  });
});

describe("DER nodes, written once", () => {
  it("encode known structures byte for byte", () => {
    // RFC 5758 §3.2: ecdsa-with-SHA384 with absent parameters.
    expect(hex(encodeNode(sequenceNode(oid("1.2.840.10045.4.3.3"))))).toBe("300a06082a8648ce3d040303");
    // RFC 5280 §4.1.2.1: version v3 as [0] EXPLICIT INTEGER 2.
    expect(hex(encodeNode(explicitNode(0, smallInteger(2))))).toBe("a003020102");
    // Empty content, and a node around a node around bytes.
    expect(hex(encodeNode(sequenceNode()))).toBe("3000");
    expect(hex(encodeNode(sequenceNode(octetStringNode(Buffer.from("abcd", "hex")))))).toBe("30040402abcd");
    // A node nested in a Buffer-returning TLV is written in place.
    expect(hex(tlv(Tag.set, node(Tag.octetString, Buffer.from([1]), Buffer.from([2, 3]))))).toBe(
      "3105040301020" + "3",
    );
  });

  it("report the length they will take", () => {
    const inner = octetStringNode(Buffer.alloc(200));
    expect(inner.contentLength).toBe(200);
    expect(inner.length).toBe(203); // 04 81 c8 + 200
    const outer = sequenceNode(inner, Buffer.from([5, 0]));
    expect(outer.length).toBe(3 + 203 + 2); // 30 81 cd
    expect(encodeNode(outer)).toHaveLength(outer.length);
  });
});

describe.runIf(hasTool("openssl", "openssl"))("DER nodes: OpenSSL's asn1parse", () => {
  const folder = createWorkFolder("tessera-der-");
  afterAll(() => folder.remove());

  it("writes every length form at every depth where OpenSSL finds it", () => {
    // Content sizes on each side of the length forms of X.690 §8.1.3: short (< 128), one octet
    // (< 256), two (< 65,536) and three.
    const filled = (size: number, byte: number) => Buffer.alloc(size, byte);
    const tree = sequenceNode(
      octetStringNode(filled(0, 0)),
      octetStringNode(filled(127, 1)),
      explicitNode(1, octetStringNode(filled(128, 2)), sequenceNode(octetStringNode(filled(255, 3)))),
      sequenceNode(sequenceNode(sequenceNode(octetStringNode(filled(256, 4))))),
      octetStringNode(filled(65_535, 5)),
      explicitNode(2, octetStringNode(filled(65_536, 6))),
    );
    const der = encodeNode(tree);
    const parsed = run("openssl", ["asn1parse", "-inform", "DER", "-in", folder.write("tree.der", der)]);
    expect(parsed.status, parsed.output).toBe(0);
    const elements = parsed.stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [, offset, depth, headerLength, length, kind] =
          /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(\w+):\s*(\S+)/.exec(line)!;
        return {
          offset: Number(offset),
          depth: Number(depth),
          hl: Number(headerLength),
          l: Number(length),
          kind,
        };
      });
    // Written by hand from X.690 §8.1.3: [depth, header octets, content octets] of each element.
    // A header is the tag octet and the length: 1 octet below 128, else 0x8n and n octets.
    const expected = [
      [1, 2, 0],
      [1, 2, 127],
      [1, 4, 393], // [1]: 3 + 128, then 4 + 258
      [2, 3, 128],
      [2, 4, 258], // 3 + 255
      [3, 3, 255],
      [1, 4, 268], // three SEQUENCEs around 256 octets: 4 + 256, 4 + 260, 4 + 264
      [2, 4, 264],
      [3, 4, 260],
      [4, 4, 256],
      [1, 4, 65_535],
      [1, 5, 65_541], // [2]: 5 + 65,536
      [2, 5, 65_536],
    ];
    const total = 2 + 129 + 397 + 272 + 65_539 + 65_546;
    expect(elements.map(({ depth, hl, l }) => [depth, hl, l])).toEqual([[0, 5, total], ...expected]);
    expect(der).toHaveLength(5 + total);
    // Each string holds its own bytes, in place.
    const strings = elements.filter((element) => element.kind === "prim");
    expect(
      strings.map(({ offset, hl, l }) => [...new Set(der.subarray(offset + hl, offset + hl + l))]),
    ).toEqual([[], [1], [2], [3], [4], [5], [6]]);
  });
});

describe("DER reading", () => {
  it("reads nested elements", () => {
    const der = sequence(smallInteger(5), sequence(oid("2.5.4.3")));
    const [integer, inner] = children(der, readWhole(der, Tag.sequence));
    expect(integer!.tag).toBe(Tag.integer);
    expect(children(der, inner!)).toHaveLength(1);
  });

  it("reads small non-negative integers and refuses others", () => {
    const value = (hexInteger: string) => {
      const der = Buffer.from(hexInteger, "hex");
      return readSmallInteger(der, readWhole(der, Tag.integer));
    };
    expect(value("020100")).toBe(0);
    expect(value("02020080")).toBe(128);
    expect(value("02067fffffffffff")).toBe(2 ** 47 - 1);
    expect(() => value("0201ff")).toThrow(malformed); // negative
    expect(() => value("0200")).toThrow(malformed); // empty
    expect(() => value("020701000000000000")).toThrow(malformed); // more than 6 octets
    expect(() =>
      readSmallInteger(Buffer.from("0401ff", "hex"), readElement(Buffer.from("0401ff", "hex"), 0)),
    ).toThrow(malformed);
  });

  it("refuses what is not DER", () => {
    const bad = [
      "3080", // indefinite length
      "308100", // non-minimal long form
      "30820001" + "00", // non-minimal two-octet length
      "3003020101ff", // trailing byte
      "300502010", // truncated
      "1f0100", // multi-byte tag
      "30850100000000", // length of five octets
    ];
    for (const input of bad) {
      expect(
        () => readWhole(Buffer.from(input.length % 2 ? input + "0" : input, "hex"), Tag.sequence),
        input,
      ).toThrow(malformed);
    }
    expect(() => readElement(Buffer.from("3005020101", "hex"), 0)).toThrow(malformed);
  });
});
