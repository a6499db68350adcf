import { afterAll, describe, expect, it } from "vitest";
import { createWorkFolder, run } from "../pki/test-kit.js";
import { findCertificateDer, findCertificatesOfCard } from "../store/certificates.js";
import { findUserById, insertUser } from "../store/users.js";
import { countUsers, produceBatch, requestCard, testAppForSuite } from "../test-support/api-setup.js";
import { produceCardFailingOnHolder } from "../test-support/batches.js";
import { dialects } from "../test-support/databases.js";
import { logonTemplate } from "../test-support/templates.js";
import { hasTool } from "../test-support/tools.js";
import { newUser } from "../test-support/users.js";

/**
 * Issue 11, items 1, 2 and 5: users carry a SID beside their UPN, set at create, by import and by
 * edit; a template's authentication certificate writes it (and a PKINIT principal) as the
 * template says; a holder without an identifier the template requires fails the card with a
 * reason, and Repeat production waits for the correction.
 */
const domainSid = "S-1-5-21-1004336348-1177238915-682003330";
/** Strong mapping for Windows and PKINIT for a Kerberos realm, both required. */
const logonBadge = logonTemplate(
  "Logon badge",
  { sid: "both", pkinit: { realm: "CORP.EXAMPLE" }, require: ["sid"] },
  "7009",
);

describe.each(dialects)("logon identifiers of users and their cards on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    templates: [logonBadge],
    operators: ["registrar", "production"],
  });
  const { registrar, production } = suite.ops;
  const folder = createWorkFolder("tessera-logon-cards-");

  const create = (fields: Record<string, unknown>) =>
    registrar("POST", "/api/v1/processes/UsersProcCreate", {
      firstName: "Anna",
      lastName: "Svensson",
      email: "anna@corp.example",
      ...fields,
    });
  const edit = (userId: string, fields: Record<string, unknown>) =>
    registrar("POST", "/api/v1/processes/UsersProcEdit", { userId, ...fields });
  /** OpenSSL's text of each of the card's certificates, by profile. */
  const certificateTexts = async (cardId: string) => {
    const texts: Record<string, string> = {};
    for (const certificate of await findCertificatesOfCard(suite.t.app.services.store.db, cardId)) {
      const der = await findCertificateDer(suite.t.app.services.store.db, certificate.serial);
      const file = folder.write(`${certificate.serial}.der`, der!);
      texts[certificate.profile] = run("openssl", [
        "x509",
        "-inform",
        "DER",
        "-in",
        file,
        "-noout",
        "-text",
      ]).stdout;
    }
    return texts;
  };

  afterAll(() => folder.remove());

  it("registers a SID, written upper-case, and shows it", async () => {
    const created = await create({
      identifier: "SID-1",
      sid: ` s-1-5-21-1004336348-1177238915-682003330-1101 `,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.user.sid).toBe(`${domainSid}-1101`);
    const read = await registrar("GET", `/api/v1/users/${created.body.user.id}`);
    expect(read.body.user.sid).toBe(`${domainSid}-1101`);
    const none = await create({ identifier: "SID-2", sid: "" });
    expect(none.body.user.sid).toBeNull();
  });

  it.each([
    ["a well-known group's SID", "S-1-5-32-544"],
    ["a domain SID without the account's RID", domainSid],
    ["a number beyond 32 bits", `${domainSid.slice(0, -9)}4294967296-1101`],
    ["letters", "S-1-5-21-a-b-c-d"],
    ["a second SID after the first", `${domainSid}-1101,${domainSid}-1102`],
  ])("refuses %s, naming the field, and creates nothing", async (_, sid) => {
    const before = await countUsers(registrar);
    const refused = await create({ identifier: "SID-BAD", sid });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("request.invalid");
    expect(refused.body.error.details.field).toBe("sid");
    expect(refused.body.error.message).toContain("sid");
    expect(await countUsers(registrar)).toBe(before);
  });

  it("refuses a malformed UPN, naming the field", async () => {
    const refused = await create({ identifier: "UPN-BAD", upn: "anna svensson" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.field).toBe("upn");
  });

  it("gives one SID to one user: a second is refused at create and at edit, and nothing changes", async () => {
    const first = await create({ identifier: "SID-10", sid: `${domainSid}-1110` });
    expect(first.status).toBe(200);
    const before = await countUsers(registrar);
    const twin = await create({ identifier: "SID-11", sid: `${domainSid}-1110` });
    expect(twin.status).toBe(409);
    expect(twin.body.error.code).toBe("user.sid_taken");
    expect(await countUsers(registrar)).toBe(before);

    const other = (await create({ identifier: "SID-12" })).body.user;
    const taken = await edit(other.id, { version: other.version, sid: `${domainSid}-1110` });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("user.sid_taken");
    expect((await findUserById(suite.t.app.services.store.db, other.id))?.version).toBe(other.version);

    const set = await edit(other.id, { version: other.version, sid: `${domainSid}-1112` });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.changed).toEqual(["sid"]);
    expect(set.body.cardFieldsChanged).toEqual(["sid"]);
    const cleared = await edit(other.id, { version: set.body.user.version, sid: null });
    expect(cleared.body.user.sid).toBeNull();
  });

  it("imports SIDs (column sid or objectSid) and reports malformed, repeated and taken ones by line", async () => {
    const csv = [
      "firstName,lastName,email,identifier,upn,objectSid",
      `Bo,Ek,bo@corp.example,IMP-SID-1,bo@corp.example,${domainSid}-1201`,
      "Cy,Ek,cy@corp.example,IMP-SID-2,cy@corp.example,S-1-5-21-1",
      `Di,Ek,di@corp.example,IMP-SID-3,di@corp.example,${domainSid}-1201`,
      `Ed,Ek,ed@corp.example,IMP-SID-4,ed@corp.example,${domainSid}-1101`,
      "Fi,Ek,fi@corp.example,IMP-SID-5,fi@corp.example,",
    ].join("\n");
    const imported = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/^sid: not an account SID/) },
      { line: 4, reason: `sid ${domainSid}-1201 repeats line 2` },
      { line: 5, reason: `sid ${domainSid}-1101 belongs to an existing user` },
    ]);
    expect(imported.body.created).toBe(2);
    const found = await registrar("GET", "/api/v1/users?q=IMP-SID-1");
    expect(found.body.items[0]).toMatchObject({ upn: "bo@corp.example", sid: `${domainSid}-1201` });
  });

  it.runIf(hasTool("openssl", "openssl"))(
    "writes the SID into the Employee ID's authentication certificate by default, not into its signature one",
    async () => {
      const user = (
        await create({ identifier: "EMP-SID", upn: "emp@corp.example", sid: `${domainSid}-1301` })
      ).body.user;
      const cardId = await requestCard(registrar, user.id, "Employee ID");
      await produceBatch(suite.t, production, [cardId]);
      expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("issued");
      const texts = await certificateTexts(cardId);
      expect(texts.authentication).toContain("1.3.6.1.4.1.311.25.2:");
      expect(texts.authentication).toContain("othername: UPN::emp@corp.example");
      expect(texts.authentication).not.toContain("tag:microsoft.com");
      expect(texts.signature).not.toContain("1.3.6.1.4.1.311.25.2");
    },
  );

  it.runIf(hasTool("openssl", "openssl"))(
    "fails the card of a holder without the SID the template requires, with a reason, until the user has one",
    async () => {
      // Registered before SIDs were kept, so without one.
      const userId = "logon-without-sid";
      await insertUser(
        suite.t.app.services.store.db,
        newUser({
          id: userId,
          identifier: "NOSID-1",
          firstName: "Ola",
          lastName: "Nordmann",
          email: "ola@corp.example",
          upn: "ola.nordmann@corp.example",
        }),
        suite.t.clock().toISOString(),
      );
      const cardId = await requestCard(registrar, userId, "Logon badge");
      let card = await produceCardFailingOnHolder(suite.t, production, cardId, {
        reason: "security identifier (SID)",
        field: "sid",
      });
      expect(card.holderUnfitForCard).toEqual([{ path: "sid", message: expect.stringContaining("(SID)") }]);
      const repeat = () => production("POST", "/api/v1/processes/CardsProcRepeatProduction", { cardId });

      const { user } = (await registrar("GET", `/api/v1/users/${userId}`)).body;
      expect((await edit(userId, { version: user.version, sid: `${domainSid}-1401` })).status).toBe(200);
      card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
      expect(card.holderUnfitForCard).toEqual([]);
      expect((await repeat()).body.card.state).toBe("approved");
      await produceBatch(suite.t, production, [cardId]);
      expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("issued");
      const texts = await certificateTexts(cardId);
      expect(texts.logon).toContain(`URI:tag:microsoft.com,2022-09-14:sid:${domainSid}-1401`);
      expect(texts.logon).toContain("1.3.6.1.4.1.311.25.2:");
      expect(texts.logon).toContain("PKINIT Client Auth");
    },
  );
});
