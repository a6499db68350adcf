import { describe, expect, it } from "vitest";
import {
  type ApiClient,
  countUsers,
  produceBatch,
  requestCard,
  testAppForSuite,
} from "../test-support/api-setup.js";
import { produceCardFailingOnHolder } from "../test-support/batches.js";
import { dialects } from "../test-support/databases.js";
import { logonTemplate } from "../test-support/templates.js";

/**
 * Issue 11 attacked: SIDs spelled two ways, two operators racing for one SID, holders whose UPN
 * or identifier cannot name a Kerberos principal, and a SID edited under live cards.
 */
const domainSid = "S-1-5-21-1004336348-1177238915-682003330";
/** PKINIT from the UPN in CORP.EXAMPLE. */
const kerberosBadge = logonTemplate(
  "Kerberos badge",
  { sid: "none", pkinit: { realm: "CORP.EXAMPLE", principal: "upn" } },
  "7011",
);
/** PKINIT from the identifier in CORP.EXAMPLE. */
const identifierBadge = logonTemplate(
  "Identifier badge",
  { sid: "none", pkinit: { realm: "CORP.EXAMPLE", principal: "identifier" } },
  "7012",
);

describe.each(dialects)("logon identifiers under attack on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    templates: [kerberosBadge, identifierBadge],
    operators: ["registrar", "otherRegistrar", "production"],
  });
  const { registrar, otherRegistrar: other, production } = suite.ops;
  let serial = 0;

  const create = (fields: Record<string, unknown>, as: ApiClient = registrar) =>
    as("POST", "/api/v1/processes/UsersProcCreate", {
      firstName: "Anna",
      lastName: "Svensson",
      email: "anna@corp.example",
      identifier: `ATT-${++serial}`,
      ...fields,
    });

  it("takes a SID with leading zeros as the same SID: stored in its canonical form, and refused as taken", async () => {
    // Ten digits at most, as in the SID's own form; leading zeros within them name the same number.
    const first = await create({ sid: `S-1-5-21-1004336348-1177238915-0682003330-0001101` });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.user.sid).toBe(`${domainSid}-1101`);
    const before = await countUsers(registrar);
    const twin = await create({ sid: `${domainSid}-1101` });
    expect(twin.status).toBe(409);
    expect(twin.body.error.code).toBe("user.sid_taken");
    expect(await countUsers(registrar)).toBe(before);
  });

  it.each([
    ["the null domain of the well-known SIDs", "S-1-5-21-0-0-0-0"],
    ["a well-known SID of the null domain", "S-1-5-21-00-0-0-496"],
    ["digits of another script", "S-1-5-21-１-2-3-4"],
    ["a SID of a hundred thousand digits", `S-1-5-21-1-2-3-${"1".repeat(100_000)}`],
    ["a control character after it", `${domainSid}-1101\u0000`],
  ])("refuses %s, naming the field", async (_, sid) => {
    const before = await countUsers(registrar);
    const refused = await create({ sid });
    expect(refused.status).toBe(400);
    // A NUL is refused for every field before the process reads it, under the path body.sid.
    expect(refused.body.error.details.field).toMatch(/^(body\.)?sid$/);
    expect(await countUsers(registrar)).toBe(before);
  });

  it("gives one SID to one of two operators creating users at the same moment: the other gets 409, never a 500", async () => {
    for (let round = 0; round < 5; round++) {
      const sid = `${domainSid}-${2000 + round}`;
      const answers = await Promise.all([create({ sid }), create({ sid }, other)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expect(answers.find((answer) => answer.status === 409)!.body.error.code).toBe("user.sid_taken");
    }
  });

  it("gives one SID to one of an import and an edit racing for it: the other gets 409, never a 500", async () => {
    for (let round = 0; round < 5; round++) {
      const sid = `${domainSid}-${3000 + round}`;
      const edited = (await create({})).body.user;
      const csv = [
        "firstName,lastName,email,identifier,sid",
        `Bo,Ek,bo@corp.example,IMP-RACE-${round},${sid}`,
      ];
      const answers = await Promise.all([
        registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv: csv.join("\n") }),
        other("POST", "/api/v1/processes/UsersProcEdit", { userId: edited.id, version: edited.version, sid }),
      ]);
      const [imported, edit] = answers;
      expect([imported!.status, edit!.status]).not.toContain(500);
      const holders = (await registrar("GET", `/api/v1/users?q=IMP-RACE-${round}`)).body.items.length;
      const editedSid = (await registrar("GET", `/api/v1/users/${edited.id}`)).body.user.sid;
      // Exactly one of them has the SID; the loser was told why.
      expect(holders + (editedSid === sid ? 1 : 0)).toBe(1);
      const loser = editedSid === sid ? imported! : edit!;
      if (loser.status === 200) expect(loser.body.errors[0].reason).toContain("belongs to an existing user");
      else expect(loser.body.error.code).toBe("user.sid_taken");
    }
  });

  /**
   * A holder (`upn`) with the SID `${domainSid}-${rid}` and an issued card of `template`, whose SID
   * is then edited to `${domainSid}-${rid + 1}`: a change of the SID alone.
   */
  const editSidUnderIssuedCard = async (upn: string, rid: number, template: string) => {
    const user = (await create({ upn, sid: `${domainSid}-${rid}` })).body.user;
    const cardId = await requestCard(registrar, user.id, template);
    await produceBatch(suite.t, production, [cardId]);
    expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("issued");
    const edited = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId: user.id,
      version: user.version,
      sid: `${domainSid}-${rid + 1}`,
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.cardFieldsChanged).toEqual(["sid"]);
    return { user, cardId, edited };
  };

  it("offers the replacement of live cards when their holder's SID changes", async () => {
    const { cardId, edited } = await editSidUnderIssuedCard("sid.edit@corp.example", 4001, "Employee ID");
    expect(edited.body.cardsToReplace.map((card: { id: string }) => card.id)).toEqual([cardId]);
  });

  it("does not offer to replace a card whose template writes no SID when only the SID changes", async () => {
    // The Kerberos badge's one profile says `sid: "none"`: its certificate never held the SID.
    const { user, cardId, edited } = await editSidUnderIssuedCard(
      "sid.none@corp.example",
      4101,
      "Kerberos badge",
    );
    expect(edited.body.cardsToReplace).toEqual([]);
    // A change its certificate does show (the UPN is in every certificate's subjectAltName) still offers it.
    const renamed = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId: user.id,
      version: edited.body.user.version,
      upn: "sid.none2@corp.example",
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.cardsToReplace.map((card: { id: string }) => card.id)).toEqual([cardId]);
  });

  it.each([
    ["a UPN with a slash", "Kerberos badge", { upn: "ops/admin@corp.example" }, "upn"],
    ["a UPN with a backslash", "Kerberos badge", { upn: "CORP\\anna@corp.example" }, "upn"],
    ["a UPN with letters beyond ASCII", "Kerberos badge", { upn: "anna.sörensen@corp.example" }, "upn"],
    // Its principal would be anna@CORP.EXAMPLE: another person's, whose UPN is anna@corp.example.
    ["a UPN of another domain than the realm", "Kerberos badge", { upn: "anna@partner.example" }, "upn"],
    ["an identifier with a slash", "Identifier badge", { identifier: "HR/0042" }, "identifier"],
    ["an identifier with a space", "Identifier badge", { identifier: "E 0042" }, "identifier"],
  ] as const)(
    "lists a holder with %s on the card page, fails the card before anything is made, and refuses Repeat production",
    async (_, template, fields, field) => {
      const created = await create(fields);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const cardId = await requestCard(registrar, created.body.user.id, template);
      const waiting = (await production("GET", `/api/v1/cards/${cardId}`)).body;
      expect(waiting.holderUnfitForCard).toEqual([
        { path: field, message: expect.stringContaining("Kerberos") },
      ]);

      await produceCardFailingOnHolder(suite.t, production, cardId, { reason: "Kerberos", field });
    },
  );

  it("makes the card of a holder whose UPN's domain is the realm in other letters", async () => {
    const user = (await create({ upn: "Anna.Svensson@Corp.Example" })).body.user;
    const cardId = await requestCard(registrar, user.id, "Kerberos badge");
    expect((await production("GET", `/api/v1/cards/${cardId}`)).body.holderUnfitForCard).toEqual([]);
    await produceBatch(suite.t, production, [cardId]);
    expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("issued");
  });
});
