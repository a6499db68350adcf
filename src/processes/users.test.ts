import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSamplePng } from "../production/sample-photos.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

const png = createSamplePng(30, 40);
/** Starts like a PNG, and is garbage after: refused when it arrives, not at production. */
const pngHeaderOnGarbage = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);
const person = (identifier: string, extra: Record<string, unknown> = {}) => ({
  firstName: "Åsa",
  lastName: "Öberg",
  email: "asa.oberg@example.org",
  identifier,
  organizationalUnit: "Finance",
  ...extra,
});

describe.each(dialects)("users on %s", (dialect) => {
  let t: TestApp;
  let registrar: ApiClient;
  let auditor: ApiClient;
  const countUsers = async () =>
    Number(
      (
        await t.app.services.store.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ registrar, auditor } = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      auditor: ["auditor"],
    }));
  });
  afterAll(() => t.close());

  it("creates a user with a photo checked by its content, and records it", async () => {
    const r = await registrar(
      "POST",
      "/api/v1/processes/UsersProcCreate",
      person("U-1", { photo: png.toString("base64") }),
    );
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({
      identifier: "U-1",
      firstName: "Åsa",
      state: "active",
      hasPhoto: true,
    });
    const photo = await t.server.inject({
      url: `/api/v1/users/${r.body.user.id}/photo`,
      headers: { cookie: await t.login("registrar") },
    });
    expect(photo.headers["content-type"]).toBe("image/png");
    expect(photo.rawPayload.equals(png)).toBe(true);
    const history = await auditor("GET", `/api/v1/audit?objectType=user&objectId=${r.body.user.id}`);
    expect(history.body.items[0]).toMatchObject({
      action: "UsersProcCreate",
      outcome: "success",
      operatorName: "registrar",
    });
  });

  it.each([
    [
      "a photo that is not an image",
      { photo: Buffer.from("GIF89a not allowed").toString("base64") },
      "user.photo_invalid",
    ],
    ["a PNG header on garbage", { photo: pngHeaderOnGarbage.toString("base64") }, "user.photo_invalid"],
    ["a PNG cut short", { photo: png.subarray(0, png.length - 20).toString("base64") }, "user.photo_invalid"],
    [
      "a photo over 1 MB",
      { photo: Buffer.concat([png, Buffer.alloc(1024 * 1024)]).toString("base64") },
      "user.photo_invalid",
    ],
    ["a photo far over 1 MB", { photo: Buffer.alloc(2 * 1024 * 1024).toString("base64") }, "request.invalid"],
    ["an unknown field", { nickname: "A" }, "request.invalid"],
    ["a wrong type", { firstName: 42 }, "request.invalid"],
    ["a name too long for a certificate", { lastName: "x".repeat(65) }, "request.invalid"],
    ["a bad e-mail", { email: "not-an-email" }, "request.invalid"],
  ])("refuses %s and creates nothing", async (_, extra, code) => {
    const before = await countUsers();
    const r = await registrar("POST", "/api/v1/processes/UsersProcCreate", person("U-bad", extra));
    expect([r.status, r.body.error.code]).toEqual([400, code]);
    expect(r.body.error.message).toMatch(/\w/);
    expect(await countUsers()).toBe(before);
  });

  it("names the missing field in a sentence", async () => {
    const r = await registrar("POST", "/api/v1/processes/UsersProcCreate", { firstName: "A" });
    expect(r.body.error.message).toBe("lastName: required");
  });

  it("refuses a second user with the same identifier, also when two requests race", async () => {
    const again = await registrar("POST", "/api/v1/processes/UsersProcCreate", person("U-1"));
    expect([again.status, again.body.error.code]).toEqual([409, "user.identifier_taken"]);
    const race = await Promise.all(
      Array.from({ length: 4 }, () =>
        registrar("POST", "/api/v1/processes/UsersProcCreate", person("U-race")),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(
      race.filter((r) => r.status === 409).every((r) => r.body.error.code === "user.identifier_taken"),
    ).toBe(true);
  });

  it("imports a CSV: creates the valid rows, reports every bad row with its line, none half-made", async () => {
    const csv = [
      "First name,Last name,E-mail,Identifier,Department",
      "Bo,Ek,bo@example.org,IMP-1,IT",
      "Cia,,cia@example.org,IMP-2,IT",
      '"Dan, Jr.",Dahl,dan@example.org,IMP-3,"Legal, North"',
      "Eva,Ek,not-an-email,IMP-4,IT",
      "Fia,Fors,fia@example.org,IMP-1,IT",
      "Gun,Gran,gun@example.org,U-1,IT",
      "Hal,Holm,hal@example.org,IMP-5",
      "",
    ].join("\n");
    const before = await countUsers();
    const r = await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv });
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(2);
    expect(r.body.errors).toEqual([
      { line: 3, reason: "lastName: required" },
      { line: 5, reason: "email: not an e-mail address" },
      { line: 6, reason: "identifier IMP-1 repeats line 2" },
      { line: 7, reason: "identifier U-1 belongs to an existing user" },
      { line: 8, reason: "has 4 fields; the header has 5" },
    ]);
    expect(await countUsers()).toBe(before + 2);
    const dan = await registrar("GET", "/api/v1/users?q=IMP-3");
    expect(dan.body.items[0]).toMatchObject({ firstName: "Dan, Jr.", organizationalUnit: "Legal, North" });
  });

  it("refuses a CSV without the required columns or with a broken quote, creating nothing", async () => {
    const before = await countUsers();
    const noColumns = await registrar("POST", "/api/v1/processes/UsersBoProcImport", {
      csv: "name,mail\nA,a@b.c\n",
    });
    expect(noColumns.body.error).toMatchObject({
      code: "request.invalid",
      message: expect.stringContaining("lastName"),
    });
    const broken = await registrar("POST", "/api/v1/processes/UsersBoProcImport", {
      csv: 'firstName,lastName,email,identifier\n"A,B,a@b.c,X\n',
    });
    expect(broken.body.error.message).toMatch(/^Line 2/);
    expect(await countUsers()).toBe(before);
  });

  it("searches users and reads one with their cards; unknown ids are 404", async () => {
    const page = await registrar("GET", "/api/v1/users?q=ek&limit=1");
    expect(page.body.total).toBe(1);
    const one = await registrar("GET", `/api/v1/users/${page.body.items[0].id}`);
    expect(one.body).toMatchObject({ user: { lastName: "Ek" }, cards: [] });
    expect((await registrar("GET", "/api/v1/users/nobody")).body.error.code).toBe("user.not_found");
    expect((await registrar("GET", "/api/v1/users?limit=0")).status).toBe(400);
  });

  it("records refused requests in the object history", async () => {
    const refused = await auditor("GET", "/api/v1/audit?action=UsersProcCreate&outcome=refused&limit=100");
    expect(refused.body.items.map((e: { details: { code: string } }) => e.details.code)).toContain(
      "user.photo_invalid",
    );
    expect((await auditor("POST", "/api/v1/audit/verify")).body).toMatchObject({ valid: true });
  });
});
