import { describe, expect, it } from "vitest";
import { parseBatchOptions } from "./batch.js";

const issueOptionsOf = (stored: unknown) => parseBatchOptions("CardsBoProcIssueMultiple", stored);

describe("issue options read back from a batch row", () => {
  const stored = {
    pinLength: 6,
    pukLength: 8,
    certificates: null,
    cardEndState: "issued",
    certificateEndState: "onHold",
    pukPrinted: false,
  };

  it("are the options that were stored", () => {
    expect(issueOptionsOf(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });

  it("refuse a row that lacks an option or holds a state that is not one", () => {
    const { pukPrinted: _, ...withoutPukDelivery } = stored;
    expect(() => issueOptionsOf(withoutPukDelivery)).toThrow();
    expect(() => issueOptionsOf({ ...stored, cardEndState: "locked" })).toThrow();
    expect(() => issueOptionsOf({ ...stored, pinLength: 3 })).toThrow();
  });
});
