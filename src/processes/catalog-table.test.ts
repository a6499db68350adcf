import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CardState, canTransition, cardStates } from "../domain/card-states.js";
import { processCatalog, processesAllowedInState, type SymbolicName } from "../domain/process-catalog.js";
import { type Role, roles } from "../domain/roles.js";
import type { Actor } from "../services/services.js";
import { findCardById, insertCards } from "../store/cards.js";
import { insertCertificates } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { createUserAs } from "../test-support/processes.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { processHandlers, runProcess } from "./registry.js";

/**
 * The process catalog written out by hand from ARCHITECTURE.md — the table "Processes (use
 * cases)", the card state model of "Card states" and the roles of "The people who use it" —
 * and never from the code: it is the oracle of this file. `ends` are the card states a process
 * may leave a card in (a card it creates, for a request); a process that leaves the state as it
 * was (postpone, unblock PIN) ends in its required state.
 */
interface Row {
  readonly kind: "single" | "batch";
  readonly required: readonly CardState[];
  readonly ends: readonly CardState[];
  readonly roles: readonly Role[];
  /** Only for a chip card (PKCS#11): a software token has no PIN retry counter and no PUK. */
  readonly chipOnly?: true;
}

const table: Record<SymbolicName, Row> = {
  UsersProcCreate: { kind: "single", required: [], ends: [], roles: ["registrationOfficer"] },
  UsersBoProcImport: { kind: "single", required: [], ends: [], roles: ["registrationOfficer"] },
  // Issue 12, "Changes." and "Leavers.": processes on a user, run by a registration officer. A
  // leaver's cards change too (locked, or their requests aborted), but no card state is required.
  UsersProcEdit: { kind: "single", required: [], ends: [], roles: ["registrationOfficer"] },
  UsersProcDeactivate: { kind: "single", required: [], ends: [], roles: ["registrationOfficer"] },
  UsersProcReactivate: { kind: "single", required: [], ends: [], roles: ["registrationOfficer"] },
  // "user active" is a state of the user, not of a card: a request makes a card.
  CardsProcRequest: {
    kind: "single",
    required: [],
    ends: ["requested", "approved"],
    roles: ["registrationOfficer"],
  },
  // A batch order by name, yet answered at once (200 with the cards): the API's process bodies.
  CardsBoProcRequestMultiple: {
    kind: "single",
    required: [],
    ends: ["requested", "approved"],
    roles: ["registrationOfficer"],
  },
  // Issue 12, "Renewal as a batch order": a card in use nearing its end gets a successor
  // request; the card itself keeps its state until the successor becomes active.
  CardsBoProcRenewMultiple: {
    kind: "single",
    required: ["issued", "active", "inactive"],
    ends: [],
    roles: ["registrationOfficer"],
  },
  CardsProcApprove: {
    kind: "single",
    required: ["requested"],
    ends: ["approved", "rejected", "requested"],
    roles: ["approver"],
  },
  // The roles table names no one for it: who requests and who decides may withdraw a request.
  CardsProcAbortRequest: {
    kind: "single",
    required: ["requested", "approved"],
    ends: ["aborted"],
    roles: ["registrationOfficer", "approver"],
  },
  CardsBoProcIssueMultiple: {
    kind: "batch",
    required: ["approved"],
    ends: ["issued", "active"],
    roles: ["productionAdministrator"],
  },
  CardsProcRepeatProduction: {
    kind: "single",
    required: ["failed"],
    ends: ["approved"],
    roles: ["productionAdministrator"],
  },
  CardsProcActivate: { kind: "single", required: ["issued"], ends: ["active"], roles: ["issuingAuthority"] },
  CardsBoProcActivateMultiple: {
    kind: "batch",
    required: ["issued"],
    ends: ["active"],
    roles: ["issuingAuthority"],
  },
  CardsProcDeactivate: { kind: "single", required: ["active"], ends: ["inactive"], roles: ["helpdesk"] },
  CardsProcReactivate: { kind: "single", required: ["inactive"], ends: ["active"], roles: ["helpdesk"] },
  CardsProcLock: {
    kind: "single",
    required: ["active", "inactive"],
    ends: ["locked"],
    roles: ["securityOfficer"],
  },
  CardsProcUnblockPin: {
    kind: "single",
    required: ["active"],
    ends: ["active"],
    roles: ["helpdesk"],
    chipOnly: true,
  },
  // Issue 10, "Change PIN for a holder who knows the old one, at the same places" as unblocking.
  CardsProcChangePin: {
    kind: "single",
    required: ["active"],
    ends: ["active"],
    roles: ["helpdesk"],
    chipOnly: true,
  },
  // Not in ARCHITECTURE.md's table: the certificate side of deactivation (helpdesk) and of a
  // lock (security officer), on one certificate. They act on no card state.
  CertificatesProcHold: { kind: "single", required: [], ends: [], roles: ["helpdesk", "securityOfficer"] },
  CertificatesProcRelease: {
    kind: "single",
    required: [],
    ends: [],
    roles: ["helpdesk", "securityOfficer"],
  },
  CertificatesProcRevoke: { kind: "single", required: [], ends: [], roles: ["securityOfficer"] },
};

/** Catalog processes without a handler in this version, so not driven below. */
const withoutHandler: readonly SymbolicName[] = [];

const sorted = (values: readonly string[]) => [...values].sort();

describe("the process catalog against ARCHITECTURE.md", () => {
  it("lists every process of the table once", () => {
    expect(sorted(processCatalog.map((p) => p.symbolicName))).toEqual(sorted(Object.keys(table)));
  });

  it.each(processCatalog.map((p) => [p.symbolicName, p] as const))(
    "%s requires the table's card states, for the table's roles",
    (name, process) => {
      const row = table[name];
      expect(process.kind).toBe(row.kind);
      expect(sorted(process.requiredCardStates)).toEqual(sorted(row.required));
      expect(sorted(process.roles)).toEqual(sorted(row.roles));
    },
  );

  const moves = Object.values(table).flatMap((row) =>
    row.required.flatMap((from) => row.ends.filter((to) => to !== from).map((to) => [from, to] as const)),
  );
  it.each(moves)("the state model allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(cardStates.flatMap((s) => [[s, "software"] as const, [s, "pkcs11"] as const]))(
    "a %s card made by the %s encoder is offered the table's processes",
    (state, encoder) => {
      const offered = Object.entries(table)
        .filter(
          ([name, row]) =>
            row.required.includes(state) &&
            !withoutHandler.includes(name as SymbolicName) &&
            (encoder === "pkcs11" || !row.chipOnly),
        )
        .map(([name]) => name);
      expect(sorted(processesAllowedInState(state, encoder).map((p) => p.symbolicName))).toEqual(
        sorted(offered),
      );
    },
  );

  it("has a handler for every process but those listed without one", () => {
    const expected = Object.keys(table).filter((name) => !withoutHandler.includes(name as SymbolicName));
    expect(sorted([...processHandlers.keys()])).toEqual(sorted(expected));
  });
});

/** How each single-card process is driven, and the end state the table gives that run. */
const drives: Partial<Record<SymbolicName, { body: Record<string, unknown>; end: CardState }[]>> = {
  CardsProcApprove: [
    { body: { decision: "approve" }, end: "approved" },
    { body: { decision: "reject", reason: "No longer employed" }, end: "rejected" },
    { body: { decision: "postpone" }, end: "requested" },
  ],
  CardsProcAbortRequest: [{ body: {}, end: "aborted" }],
  CardsProcRepeatProduction: [{ body: {}, end: "approved" }],
  CardsProcActivate: [{ body: {}, end: "active" }],
  CardsProcDeactivate: [{ body: {}, end: "inactive" }],
  CardsProcReactivate: [{ body: {}, end: "active" }],
  CardsProcLock: [{ body: { reason: "stolen" }, end: "locked" }],
  // On the software cards made below these are refused (card.not_chip); unblock-pin.test.ts
  // drives them on chip cards.
  CardsProcUnblockPin: [{ body: { newPin: "13572468" }, end: "active" }],
  CardsProcChangePin: [{ body: { oldPin: "1234", newPin: "13572468" }, end: "active" }],
};

/**
 * The single-card processes of the table. Batch orders are left out: a card in a state they do
 * not take is skipped with its reason (batch.nothing_claimed when none is left), not refused;
 * Renew multiple cards refuses the whole selection, each card with its reason (renewal.test.ts).
 */
const cardProcesses = (Object.entries(table) as [SymbolicName, Row][]).filter(
  ([name, row]) =>
    row.kind === "single" &&
    row.required.length > 0 &&
    !withoutHandler.includes(name) &&
    !name.startsWith("CardsBoProc"),
);

describe.each(dialects)("every (card process, card state) pair on %s", (dialect) => {
  let t: TestApp;
  let actor: Actor;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { severalActiveCards: true } });
    actor = await t.operator("everything", [...roles]);
    userId = await createUserAs(t, actor, { firstName: "Mia", lastName: "Matrix" });
  });
  afterAll(() => t.close());

  it("knows how to drive every single-card process of the table", () => {
    expect(sorted(Object.keys(drives))).toEqual(sorted(cardProcesses.map(([name]) => name)));
  });

  /** A card of Mia's in `state`, requested by someone else, with the certificates that state carries. */
  async function cardIn(state: CardState): Promise<string> {
    const { db } = t.app.services.store;
    const at = t.clock().toISOString();
    const cardId = randomUUID();
    await insertCards(
      db,
      [
        {
          id: cardId,
          cardNumber: `M${cardId.slice(0, 12)}`,
          userId,
          template: "Employee ID",
          state,
          holderName: "Mia Matrix",
          organizationalUnit: null,
          requestedBy: "someone-else",
          decidedBy: null,
        },
      ],
      at,
    );
    // A card past production carries its certificates (on hold until activation, valid while
    // active): activation needs one that is valid or on hold. The DER is not read here.
    const held = state === "issued" || state === "inactive";
    if (held || state === "active")
      await insertCertificates(
        db,
        [
          {
            serial: randomBytes(8).toString("hex"),
            cardId,
            profile: "authentication",
            subject: "CN=Mia Matrix",
            state: held ? "onHold" : "valid",
            der: Buffer.from("placeholder"),
            notBefore: at,
            notAfter: "2036-03-01T09:00:00.000Z",
            revokedAt: held ? at : null,
            revocationReason: held ? "certificateHold" : null,
          },
        ],
        at,
      );
    return cardId;
  }

  const inside = cardProcesses.flatMap(([name, row]) =>
    row.required.flatMap((state) => (drives[name] ?? []).map((drive) => [name, state, drive] as const)),
  );
  it.each(inside)("%s on a %s card ends as the table says (%o)", async (name, state, drive) => {
    const cardId = await cardIn(state);
    if (table[name].chipOnly) {
      // A software token: the process is refused and the card left as it was.
      await expect(runProcess(t.app.services, actor, name, { cardId, ...drive.body })).rejects.toMatchObject({
        code: "card.not_chip",
        status: 409,
      });
      expect((await findCardById(t.app.services.store.db, cardId))?.version).toBe(1);
      return;
    }
    await expect(runProcess(t.app.services, actor, name, { cardId, ...drive.body })).resolves.toMatchObject({
      status: 200,
    });
    expect(table[name].ends).toContain(drive.end);
    expect((await findCardById(t.app.services.store.db, cardId))?.state).toBe(drive.end);
  });

  const outside = cardProcesses.flatMap(([name, row]) =>
    cardStates.filter((state) => !row.required.includes(state)).map((state) => [name, state] as const),
  );
  it.each(outside)("%s on a %s card is refused and changes nothing", async (name, state) => {
    const cardId = await cardIn(state);
    const [drive] = drives[name]!;
    await expect(runProcess(t.app.services, actor, name, { cardId, ...drive!.body })).rejects.toMatchObject({
      code: "card.state_not_allowed",
      status: 409,
    });
    const card = await findCardById(t.app.services.store.db, cardId);
    expect({ state: card?.state, version: card?.version }).toEqual({ state, version: 1 });
  });

  it.each([...processHandlers.keys()].map((name) => [name]))(
    "%s is refused to an operator without the table's roles",
    async (name) => {
      const others = roles.filter((role) => !table[name].roles.includes(role));
      const outsider = await t.operator(`not-${name.toLowerCase()}`, others);
      await expect(runProcess(t.app.services, outsider, name, {})).rejects.toMatchObject({
        code: "auth.forbidden",
      });
    },
  );
});
