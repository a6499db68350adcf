import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBatchPart } from "../store/batch-parts.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { findUserById, insertUser } from "../store/users.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";
import { newUser } from "../test-support/users.js";

/**
 * Issue 13, finding 2: a 100-character name was accepted at registration and approval, and the
 * batch then failed its card ("The commonName is longer than 64 characters.") with Repeat
 * production offered, which failed the same way, and no way to mend the user. Names are now
 * checked against the card when a person is registered, imported or edited; a name on card is
 * printed and certified where the legal name does not fit; Repeat production waits for the
 * correction.
 */
describe.each(dialects)("names fit the card before anything is produced on %s", (dialect) => {
  let t: TestApp;
  let registrar: ApiClient;
  let production: ApiClient;
  const long = {
    firstName: "Maximiliane Theodora Friederike",
    lastName: "von Hohenzollern-Sigmaringen-Wittelsbach-Habsburg-Lothringen",
  };
  const fullLength = `${long.firstName} ${long.lastName}`.length;

  const create = (fields: Record<string, unknown>) =>
    registrar("POST", "/api/v1/processes/UsersProcCreate", {
      email: "max@example.org",
      ...fields,
    });
  const countUsers = async () => (await registrar("GET", "/api/v1/users?limit=1")).body.total as number;
  const requestCard = async (userId: string) =>
    (await registrar("POST", "/api/v1/processes/CardsProcRequest", { userId, template: "Contractor badge" }))
      .body.card.id as string;
  const produce = async (cardIds: string[]) => {
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    return order.body.batchId as string;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    ({ registrar, production } = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    }));
  });
  afterAll(() => t.close());

  it("refuses a name too long for the card at registration, naming the field, and creates nothing", async () => {
    expect(fullLength).toBeGreaterThan(64);
    const before = await countUsers();
    const refused = await create({ ...long, identifier: "LONG-1" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("user.unfit_for_card");
    expect(refused.body.error.details.field).toBe("nameOnCard");
    expect(refused.body.error.message).toBe(
      `nameOnCard: the full name is ${fullLength} characters long and a card holds at most 64: give a shorter name on card, as it should be printed.`,
    );
    const cyrillic = await create({ firstName: "Ivan", lastName: "Петров", identifier: "CYR-1" });
    expect(cyrillic.status).toBe(400);
    expect(cyrillic.body.error.details.field).toBe("lastName");
    expect(cyrillic.body.error.message).toContain("(П е т р о в)");
    const badTitle = await create({ firstName: "Ann", lastName: "Lee", identifier: "T-1", title: "Boss ★" });
    expect(badTitle.body.error.details.issues).toEqual([
      { path: "title", message: expect.stringContaining("(★)") },
    ]);
    expect(await countUsers()).toBe(before);
  });

  it("refuses what the PIN letter's envelope window cannot hold, at registration and edit, naming the field", async () => {
    const before = await countUsers();
    // 52 capitals fit the certificate (ub-organization-name is 64) but not the 75 mm window.
    const organization = "INTERNATIONAL BUREAU OF WEIGHTS AND MEASURES SERVICES";
    const wide = await create({ firstName: "Ann", lastName: "Lee", identifier: "WIN-1", organization });
    expect(wide.status, JSON.stringify(wide.body)).toBe(400);
    expect(wide.body.error.code).toBe("user.unfit_for_card");
    expect(wide.body.error.details.field).toBe("organization");
    expect(wide.body.error.message).toContain("PIN letter");
    const line = "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW";
    const address = await create({ firstName: "Ann", lastName: "Lee", identifier: "WIN-2", address: [line] });
    expect(address.status).toBe(400);
    expect(address.body.error.details.field).toBe("address.0");
    const tooMany = await create({
      firstName: "Ann",
      lastName: "Lee",
      identifier: "WIN-3",
      organization: "Office",
      address: ["1", "2", "3", "4", "5"],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.field).toBe("address");
    expect(await countUsers()).toBe(before);
    // An edit that would make the letter unprintable is refused too, and changes nothing.
    const fits = await create({
      firstName: "Ann",
      lastName: "Lee",
      identifier: "WIN-4",
      organization: "Office",
    });
    expect(fits.status).toBe(200);
    const edited = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId: fits.body.user.id,
      version: fits.body.user.version,
      organization,
    });
    expect(edited.status).toBe(400);
    expect(edited.body.error.details.field).toBe("organization");
  });

  it("makes the card with the name on card: printed, certified, and as the card reads", async () => {
    const created = await create({
      ...long,
      identifier: "LONG-2",
      nameOnCard: "Maximiliane von Hohenzollern",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.user).toMatchObject({ ...long, nameOnCard: "Maximiliane von Hohenzollern" });
    const cardId = await requestCard(created.body.user.id);
    const batchId = await produce([cardId]);
    const card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
    expect(card.state, card.reason).toBe("issued");
    const [certificate] = await findCertificatesOfCard(t.app.services.store.db, cardId);
    expect(certificate?.subject).toContain("CN=Maximiliane von Hohenzollern,");
    if (hasTool("pdftotext", "poppler-utils")) {
      const print = await readBatchPart(t.app.services.store.db, batchId, "print", 1);
      const dir = mkdtempSync(path.join(tmpdir(), "names-"));
      writeFileSync(path.join(dir, "print.pdf"), print!);
      const text = execFileSync("pdftotext", [path.join(dir, "print.pdf"), "-"], { encoding: "utf8" });
      expect(text).toContain("Maximiliane von");
      expect(text).toContain("Hohenzollern");
      expect(text).not.toContain("Sigmaringen");
    }
  });

  it("reports an import's rows whose names do not fit by line, and creates the others", async () => {
    const csv = [
      "firstName,lastName,email,identifier,name on card",
      `${long.firstName},${long.lastName},a@example.org,IMP-1,`,
      `${long.firstName},${long.lastName},b@example.org,IMP-2,Max Hohenzollern`,
      "Olga,Иванова,c@example.org,IMP-3,",
      "Olga,Ivanova,d@example.org,IMP-4,",
    ].join("\n");
    const imported = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv });
    expect(imported.status).toBe(200);
    expect(imported.body.created).toBe(2);
    expect(imported.body.errors).toEqual([
      { line: 2, reason: expect.stringMatching(/^nameOnCard: the full name is \d+ characters long/) },
      {
        line: 4,
        reason: expect.stringMatching(/^lastName: the last name holds characters the card cannot print/),
      },
    ]);
  });

  it("refuses an edit that would make the name unfit, and lets a name on card mend one", async () => {
    const created = await create({ firstName: "Ann", lastName: "Lee", identifier: "EDIT-1" });
    const { id: userId, version } = created.body.user;
    const edit = (fields: Record<string, unknown>) =>
      registrar("POST", "/api/v1/processes/UsersProcEdit", { userId, ...fields });
    const refused = await edit({ version, lastName: long.lastName, firstName: long.firstName });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: "user.unfit_for_card",
      details: { field: "nameOnCard" },
    });
    expect((await findUserById(t.app.services.store.db, userId))?.version).toBe(version);
    const mended = await edit({ version, ...long, nameOnCard: "Ann Lee" });
    expect(mended.status, JSON.stringify(mended.body)).toBe(200);
    expect(mended.body.user.nameOnCard).toBe("Ann Lee");
    // Clearing the name on card again would leave a name too long: refused.
    const cleared = await edit({ version: mended.body.user.version, nameOnCard: null });
    expect(cleared.body.error?.code).toBe("user.unfit_for_card");
  });

  it("offers Repeat production for a card that failed on its holder's data only once the user is corrected", async () => {
    // A person registered before these checks existed.
    const userId = "legacy-long-name";
    await insertUser(
      t.app.services.store.db,
      newUser({ id: userId, identifier: "LEGACY-1", email: "legacy@example.org", ...long }),
      t.clock().toISOString(),
    );
    const cardId = await requestCard(userId);
    const batchId = await produce([cardId]);
    const batch = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(batch).toMatchObject({ state: "completed", done: 0, failed: 1 });
    let card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
    expect(card.state).toBe("failed");
    expect(card.allowedProcesses).not.toContain("CardsProcRepeatProduction");
    expect(card.holderUnfitForCard).toEqual([
      { path: "nameOnCard", message: expect.stringContaining("at most 64") },
    ]);
    const repeat = () => production("POST", "/api/v1/processes/CardsProcRepeatProduction", { cardId });
    const refused = await repeat();
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("card.holder_unfit_for_card");
    expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("failed");

    const { user } = (await registrar("GET", `/api/v1/users/${userId}`)).body;
    const edited = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId,
      version: user.version,
      nameOnCard: "M. von Hohenzollern",
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
    expect(card.allowedProcesses).toContain("CardsProcRepeatProduction");
    expect(card.holderUnfitForCard).toEqual([]);
    expect((await repeat()).body.card.state).toBe("approved");
    await produce([cardId]);
    expect((await production("GET", `/api/v1/cards/${cardId}`)).body.state).toBe("issued");
  });
});
