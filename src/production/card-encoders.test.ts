import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cardTemplateSchema, demoTemplates } from "../domain/card-template.js";
import { createWorkFolder } from "../pki/test-kit.js";
import { cliPath } from "../test-support/cli.js";
import { createTestApp } from "../test-support/test-app.js";
import { createCardEncoder, encoderRefusal } from "./card-encoders.js";

const smartCard = cardTemplateSchema.parse({
  name: "Smart card",
  profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "P-256" }],
  encoder: "pkcs11",
});
const sentence =
  'The card template "Smart card" uses the encoder "pkcs11", which this Tessera does not offer yet';

/**
 * Issue 9: a template configured with the PKCS#11 encoder silently produced software PKCS#12
 * tokens. The encoder is now built from the template's configuration, and one this Tessera does
 * not have is refused at start, by name.
 */
describe("card encoders", () => {
  const folder = createWorkFolder("tessera-encoders-");
  afterAll(() => folder.remove());

  it("builds the software encoder for a software template, and refuses one it does not have", () => {
    expect(encoderRefusal(demoTemplates[0]!)).toBeUndefined();
    expect(encoderRefusal(smartCard)).toContain(sentence);
    const encoder = createCardEncoder("software", { caCertificates: [], iterations: 2048 });
    expect(encoder.generateKeyPair(smartCard.profiles[0]!).publicKeySpki).toBeInstanceOf(Buffer);
    expect(() => createCardEncoder("pkcs11", { caCertificates: [], iterations: 2048 })).toThrow(
      /encoder "pkcs11" is not available/,
    );
  });

  it("refuses to build an app with a template whose encoder is not available", async () => {
    await expect(
      createTestApp("sqlite", { config: { templates: [...demoTemplates, smartCard] } }),
    ).rejects.toThrow(sentence);
  });

  it("makes `tessera serve` exit non-zero with the sentence naming the template and its encoder", () => {
    const config = folder.write("tessera.json", JSON.stringify({ templates: [smartCard] }));
    const served = spawnSync("node", [cliPath, "serve", "--no-demo", "--port", "39517"], {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...process.env,
        TESSERA_DATA_DIR: path.join(folder.dir, "data"),
        TESSERA_CONFIG: config,
        DATABASE_URL: "",
        LOG_LEVEL: "silent",
      },
    });
    expect(served.status).not.toBe(0);
    expect(served.stderr).toContain(sentence);
  });
});
