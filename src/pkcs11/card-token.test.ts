import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateProfile } from "../domain/card-template.js";
import type { CertificateIssuer } from "../pki/certificate-issuer.js";
import { newSerial } from "../pki/index.js";
import { createWorkFolder, run, type TestCa } from "../pki/test-kit.js";
import { errorCodeOf } from "../test-support/errors.js";
import { createTestIssuer } from "../test-support/pki.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  softHsmModule,
  transportSoPin,
  transportUserPin,
} from "../test-support/softhsm.js";
import { initialiseToken, openTokenSession, type TokenLogin, unblockUserPin } from "./card-token.js";
import { loadPkcs11Module, type Pkcs11Module } from "./pkcs11-module.js";

const puk = "87654321";
const pin = "246810";

const authentication: CertificateProfile = {
  name: "authentication",
  kind: "authentication",
  keyAlgorithm: "P-256",
};
const encryption: CertificateProfile = { name: "encryption", kind: "encryption", keyAlgorithm: "P-256" };
const rsaSignature: CertificateProfile = { name: "signature", kind: "signature", keyAlgorithm: "RSA-2048" };

describe.skipIf(!hasSoftHsm())(
  "a card token through PKCS#11 (SoftHSM, judged by pkcs11-tool and OpenSSL)",
  () => {
    let reader: BlankCardReader;
    let module: Pkcs11Module;
    let folder: ReturnType<typeof createWorkFolder>;
    let issuer: CertificateIssuer;
    let testCa: TestCa;
    /** The card personalised in beforeAll, its keys' ids and certificates' files. */
    let card: {
      serial: string;
      label: string;
      keys: { profile: CertificateProfile; id: Buffer; certFile: string }[];
    };

    const serialOf = (label: string) => module.listTokens().find((token) => token.label === label)!.serial;

    /** What Tessera's personalisation does to a blank card, in its order. */
    async function personalise(serial: string, label: string, profiles: CertificateProfile[]) {
      initialiseToken(module, serial, transportSoPin, label);
      const so = openTokenSession(module, serial, { as: "so", pin: transportSoPin });
      so.setUserPin(transportUserPin);
      so.changePin(transportSoPin, puk);
      so.close();
      const user = openTokenSession(module, serial, { as: "user", pin: transportUserPin });
      user.changePin(transportUserPin, pin);
      const keys = [];
      for (const profile of profiles) {
        const key = await user.generateKeyPair(profile);
        const der = await issuer.issue({
          serial: newSerial(),
          profile,
          subject: { commonName: `Holder of ${label}`, serialNumber: label },
          publicKey: key.spki,
          notBefore: new Date(Date.now() - 60_000),
          notAfter: new Date(Date.now() + 86400_000),
        });
        user.writeCertificate({ der, label: `${profile.name} certificate`, id: key.id });
        keys.push({
          profile,
          id: key.id,
          certFile: folder.writePem(`${label}-${profile.name}.pem`, der, "CERTIFICATE"),
        });
      }
      user.writeCertificate({ der: testCa.certificateDer, label: "CA" });
      user.close();
      return { serial, label, keys };
    }

    /** pkcs11-tool's listing of a card's objects, logged in with the PIN: one text block per object. */
    const listedObjects = (label: string) =>
      reader.pkcs11Tool("--token-label", label, "--login", "--pin", pin, "--list-objects").split(/\n(?=\S)/);
    const listedPrivateKey = (objects: string[], id: Buffer) =>
      objects.find(
        (object) =>
          object.startsWith("Private Key Object") && object.includes(`ID:         ${id.toString("hex")}`),
      );

    /** OpenSSL's verdict on a signature of `data` by the key of a certificate file. */
    function verifyWithOpenssl(certFile: string, data: Buffer, signature: Buffer) {
      const name = `data-${randomBytes(4).toString("hex")}`;
      const dataFile = folder.write(name, data);
      const signatureFile = folder.write(`${name}.sig`, signature);
      const publicKey = run("openssl", ["x509", "-in", certFile, "-pubkey", "-noout"]).stdout;
      const publicKeyFile = folder.write(`${name}.pub`, publicKey);
      return run("openssl", [
        "dgst",
        "-sha256",
        "-verify",
        publicKeyFile,
        "-signature",
        signatureFile,
        dataFile,
      ]);
    }

    beforeAll(async () => {
      reader = createBlankCardReader(4);
      module = loadPkcs11Module(softHsmModule);
      folder = createWorkFolder("tessera-pkcs11-");
      ({ testCa, issuer } = await createTestIssuer(folder));
      card = await personalise(serialOf("blank-1"), "C-000001", [authentication, encryption]);
    });

    afterAll(() => {
      module?.close();
      reader?.remove();
      folder?.remove();
    });

    it("lists the blank cards with their serial, trimmed label and state", () => {
      const blank = module.listTokens().find((token) => token.label === "blank-2");
      expect(blank).toMatchObject({
        model: "SoftHSM v2",
        manufacturer: "SoftHSM project",
        isInitialised: true,
        isUserPinInitialised: true,
        isLoginRequired: true,
      });
      expect(blank!.serial).toMatch(/^[0-9a-f]{16}$/);
    });

    it("puts sensitive, never extractable keys with exactly their profile's usages, and the certificates, on the card", () => {
      const objects = listedObjects(card.label);
      const privateKey = (id: Buffer) => listedPrivateKey(objects, id);
      const [authenticationKey, encryptionKey] = card.keys;
      expect(privateKey(authenticationKey!.id)).toMatch(/label:\s+authentication key/);
      expect(privateKey(authenticationKey!.id)).toMatch(/Usage:\s+sign\n/);
      expect(privateKey(encryptionKey!.id)).toMatch(/Usage:\s+derive\n/);
      for (const key of card.keys)
        expect(privateKey(key.id)).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
      const certificates = objects.filter((object) => object.startsWith("Certificate Object"));
      expect(certificates.map((object) => /label:\s+(.*)/.exec(object)![1]).sort()).toEqual([
        "CA",
        "authentication certificate",
        "encryption certificate",
      ]);
      // CKA_ID is the certificate's subjectKeyIdentifier too, as OpenSC's tools expect.
      const ski = run("openssl", [
        "x509",
        "-in",
        authenticationKey!.certFile,
        "-noout",
        "-ext",
        "subjectKeyIdentifier",
      ]);
      expect(ski.stdout.trim().split("\n").at(-1)!.trim().replaceAll(":", "").toLowerCase()).toBe(
        authenticationKey!.id.toString("hex"),
      );
      expect(certificates.find((object) => object.includes("authentication certificate"))).toContain(
        `ID:         ${authenticationKey!.id.toString("hex")}`,
      );
    });

    it("signs with the card's key through pkcs11-tool and through Tessera, both verified by OpenSSL", () => {
      const [key] = card.keys;
      const data = Buffer.from("a challenge for the card");
      // SoftHSM has no ECDSA-SHA256 mechanism: pkcs11-tool signs the digest with ECDSA.
      const digestFile = folder.write("challenge.sha256", createHash("sha256").update(data).digest());
      reader.pkcs11Tool(
        ...["--token-label", card.label, "--login", "--pin", pin, "--sign", "--mechanism", "ECDSA"],
        ...["--id", key!.id.toString("hex"), "--signature-format", "openssl", "--input-file", digestFile],
        ...["--output-file", folder.file("challenge.sig")],
      );
      const byTool = verifyWithOpenssl(key!.certFile, data, readFileSync(folder.file("challenge.sig")));
      expect(byTool.output).toContain("Verified OK");
      const session = openTokenSession(module, card.serial, { as: "user", pin });
      const signature = session.sign(key!.id, "P-256", data);
      session.close();
      expect(verifyWithOpenssl(key!.certFile, data, signature).output).toContain("Verified OK");
    });

    it("refuses a wrong PIN and the transport PINs once the PUK and PIN are set", () => {
      const refused: TokenLogin[] = [
        { as: "user", pin: "000000" },
        { as: "user", pin: transportUserPin },
        { as: "so", pin: transportSoPin },
      ];
      for (const login of refused)
        expect(
          errorCodeOf(() => openTokenSession(module, card.serial, login)),
          login.pin,
        ).toBe("pkcs11.pin_incorrect");
      expect(() => openTokenSession(module, card.serial, { as: "user", pin: "000000" })).toThrow(
        `Logging in as user on token ${card.serial} ("C-000001") failed: CKR_PIN_INCORRECT.`,
      );
    });

    it("unblocks with the PUK: the old PIN fails, the new one works; a wrong PUK is refused", () => {
      expect(errorCodeOf(() => unblockUserPin(module, card.serial, "11112222", "135790"))).toBe(
        "pkcs11.pin_incorrect",
      );
      unblockUserPin(module, card.serial, puk, "135790");
      expect(errorCodeOf(() => openTokenSession(module, card.serial, { as: "user", pin }))).toBe(
        "pkcs11.pin_incorrect",
      );
      openTokenSession(module, card.serial, { as: "user", pin: "135790" }).close();
      unblockUserPin(module, card.serial, puk, pin);
    });

    it("makes an RSA-2048 signature key whose PKCS#1 signatures OpenSSL verifies", async () => {
      const rsaCard = await personalise(serialOf("blank-3"), "C-000003", [rsaSignature]);
      const [key] = rsaCard.keys;
      const listed = listedPrivateKey(listedObjects(rsaCard.label), key!.id);
      expect(listed).toMatch(/^Private Key Object; RSA/);
      expect(listed).toMatch(/Usage:\s+sign\n/);
      expect(listed).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
      const session = openTokenSession(module, rsaCard.serial, { as: "user", pin });
      const data = Buffer.from("an RSA challenge");
      expect(
        verifyWithOpenssl(key!.certFile, data, session.sign(key!.id, "RSA-2048", data)).output,
      ).toContain("Verified OK");
      session.close();
    });

    it("lists and deletes the objects of an interrupted card", async () => {
      const session = openTokenSession(module, card.serial, { as: "user", pin });
      const objects = session.listObjects();
      expect(
        objects
          .filter((object) => object.kind === "privateKey")
          .map((object) => object.label)
          .sort(),
      ).toEqual(["authentication key", "encryption key"]);
      session.close();
      const serial = serialOf("blank-4");
      initialiseToken(module, serial, transportSoPin, "C-000004");
      const so = openTokenSession(module, serial, { as: "so", pin: transportSoPin });
      so.setUserPin(pin);
      so.close();
      const user = openTokenSession(module, serial, { as: "user", pin });
      await user.generateKeyPair(authentication);
      expect(user.listObjects()).toHaveLength(2);
      user.deleteObjects();
      expect(user.listObjects()).toEqual([]);
      user.close();
    });

    it("finds a card by serial after re-initialisation, also one created after the module started", () => {
      expect(module.findToken(card.serial).label).toBe("C-000001");
      reader.addCard("blank-late");
      expect(module.listTokens().map((token) => token.label)).not.toContain("blank-late");
      module.reinitialise();
      expect(module.findToken(card.serial).label).toBe("C-000001");
      expect(module.listTokens().map((token) => token.label)).toContain("blank-late");
      expect(errorCodeOf(() => module.findToken("0000000000000000"))).toBe("pkcs11.token_not_found");
    });

    it("says clearly when the module cannot be loaded", () => {
      expect(() => loadPkcs11Module("/nonexistent/libcard.so")).toThrow(
        /^The PKCS#11 module \/nonexistent\/libcard\.so cannot be loaded or initialised: /,
      );
      expect(errorCodeOf(() => loadPkcs11Module("/nonexistent/libcard.so"))).toBe(
        "pkcs11.module_unavailable",
      );
    });
  },
);
