import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, loggedInOperators, produceCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

describe.each(dialects)(
  "certificates in the object history, by card number and profile, on %s",
  (dialect) => {
    let t: TestApp;
    let auditor: ApiClient;
    let card: { cardNumber: string; certificates: { serial: string; profile: string }[] };

    beforeAll(async () => {
      t = await createTestApp(dialect, { options: { approvalStep: false } });
      const operators = await loggedInOperators(t, {
        registrar: ["registrationOfficer"],
        production: ["productionAdministrator"],
        issuer: ["issuingAuthority"],
        auditor: ["auditor"],
      });
      auditor = operators.auditor;
      const { cardIds } = await produceCardsForNewHolders(t, operators, {
        lastName: "Serialson",
        count: 1,
        template: "Employee ID",
      });
      // Activation releases the certificates' holds: one history entry per certificate.
      const activated = await operators.issuer("POST", "/api/v1/processes/CardsProcActivate", {
        cardId: cardIds[0],
      });
      expect(activated.status, JSON.stringify(activated.body)).toBe(200);
      card = (await operators.issuer("GET", `/api/v1/cards/${cardIds[0]}`)).body;
    });
    afterAll(() => t.close());

    it("names each certificate as its profile on its card, its serial the object id", async () => {
      const answer = await auditor("GET", "/api/v1/audit?objectType=certificate&limit=100");
      expect(answer.status).toBe(200);
      expect(card.certificates.length).toBeGreaterThan(0);
      for (const certificate of card.certificates) {
        const entries = answer.body.items.filter(
          (entry: { objectId: string }) => entry.objectId === certificate.serial,
        );
        expect(entries.length, certificate.serial).toBeGreaterThan(0);
        for (const entry of entries)
          expect(entry.objectName).toBe(`${certificate.profile} certificate of card ${card.cardNumber}`);
      }
    });
  },
);
