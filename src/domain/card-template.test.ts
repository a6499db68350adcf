import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { cardTemplateSchema, keyAlgorithms } from "./card-template.js";

const software = {
  name: "Visitor",
  profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "P-256" }],
};
const chip = { ...software, encoder: "pkcs11", pkcs11: { module: "/usr/lib/softhsm/libsofthsm2.so" } };

describe("a template's pkcs12Format", () => {
  it("is modern unless the template says legacy", () => {
    expect(cardTemplateSchema.parse(software).pkcs12Format).toBe("modern");
    expect(cardTemplateSchema.parse({ ...software, pkcs12Format: "legacy" }).pkcs12Format).toBe("legacy");
  });

  it("carries every key algorithm in either format: none is refused for legacy", () => {
    const profiles = keyAlgorithms.map((keyAlgorithm, i) => ({
      name: `p${i}`,
      kind: "authentication",
      keyAlgorithm,
    }));
    expect(cardTemplateSchema.safeParse({ ...software, profiles, pkcs12Format: "legacy" }).success).toBe(
      true,
    );
  });

  it("refuses legacy on a chip template and an unknown format, naming the field", () => {
    expect(cardTemplateSchema.parse(chip).pkcs12Format).toBe("modern");
    for (const template of [
      { ...chip, pkcs12Format: "legacy" },
      { ...software, pkcs12Format: "rc2" },
    ]) {
      const result = cardTemplateSchema.safeParse(template);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["pkcs12Format"]);
    }
  });

  it("stops the start when the configuration file asks legacy of a chip template", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tessera-template-"));
    const file = path.join(cwd, "tessera.json");
    writeFileSync(
      file,
      JSON.stringify({ templates: [software, { ...chip, name: "Chip", pkcs12Format: "legacy" }] }),
    );
    expect(() => loadConfig({ env: { TESSERA_CONFIG: file }, cwd })).toThrow(
      expect.objectContaining({
        code: "config.invalid",
        message: expect.stringMatching(
          /templates\.1\.pkcs12Format: pkcs12Format legacy applies to software tokens only/,
        ),
      }),
    );
    writeFileSync(file, JSON.stringify({ templates: [{ ...software, pkcs12Format: "legacy" }] }));
    expect(loadConfig({ env: { TESSERA_CONFIG: file }, cwd }).templates[0]?.pkcs12Format).toBe("legacy");
  });
});
