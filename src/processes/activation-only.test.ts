import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { produceBatch, requestCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";

/**
 * Finding 4 of issue 8: a helpdesk operator released the holds of an `issued` card's
 * certificates (OCSP said good for a card never activated), and a card whose only certificate
 * was revoked could be activated. Activation is now the only way to validity of an issued card.
 */
describe.each(dialects)("activation is the only way to validity on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    operators: ["registrar", "production", "helpdesk", "security", "issuer"],
  });
  const { helpdesk, security, issuer } = suite.ops;
  /** Issued cards with one certificate each (the Contractor badge has one profile). */
  let cards: string[];

  const card = async (id: string) => (await issuer("GET", `/api/v1/cards/${id}`)).body;
  const onlySerial = async (id: string) => {
    const { certificates } = await card(id);
    expect(certificates).toHaveLength(1);
    return certificates[0].serial as string;
  };

  beforeAll(async () => {
    cards = await requestCardsForNewHolders(suite.ops.registrar, {
      lastName: "Unactivated",
      count: 5,
      template: "Contractor badge",
    });
    await produceBatch(suite.t, suite.ops.production, cards);
    for (const id of cards) expect((await card(id)).state).toBe("issued");
  });

  it("refuses to release the hold of an issued card's certificate, and changes nothing", async () => {
    const serial = await onlySerial(cards[0]!);
    const release = await helpdesk("POST", "/api/v1/processes/CertificatesProcRelease", { serial });
    expect([release.status, release.body.error.code]).toEqual([409, "certificate.card_not_active"]);
    expect(release.body.error.message).toContain("activated");
    const after = await card(cards[0]!);
    expect([after.state, after.certificates[0].state]).toEqual(["issued", "onHold"]);
    const ocsp = await suite.t.app.services.store.db
      .selectFrom("certificates")
      .select(["state", "revocation_reason"])
      .where("serial", "=", serial)
      .executeTakeFirstOrThrow();
    expect(ocsp).toEqual({ state: "onHold", revocation_reason: "certificateHold" });

    // Once the card is active, a hold put on one certificate can be released again.
    expect((await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: cards[0] })).status).toBe(
      200,
    );
    expect((await helpdesk("POST", "/api/v1/processes/CertificatesProcHold", { serial })).status).toBe(200);
    const released = await helpdesk("POST", "/api/v1/processes/CertificatesProcRelease", { serial });
    expect([released.status, released.body.certificate?.state]).toEqual([200, "valid"]);
  });

  it("refuses to activate a card whose only certificate is revoked", async () => {
    const serial = await onlySerial(cards[1]!);
    const revoke = await security("POST", "/api/v1/processes/CertificatesProcRevoke", {
      serial,
      reason: "keyCompromise",
    });
    expect(revoke.status).toBe(200);
    const activate = await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: cards[1] });
    expect([activate.status, activate.body.error.code]).toEqual([409, "card.no_usable_certificate"]);
    expect(activate.body.error.message).toContain("revoked");
    expect((await card(cards[1]!)).state).toBe("issued");
  });

  it("skips such a card in Activate multiple cards, with the reason, and activates the others", async () => {
    const serial = await onlySerial(cards[2]!);
    await security("POST", "/api/v1/processes/CertificatesProcRevoke", { serial, reason: "superseded" });
    const order = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", {
      cardIds: [cards[2], cards[3]],
    });
    expect(order.status).toBe(202);
    await suite.t.app.runner.idle();
    const failed = await issuer("GET", `/api/v1/batches/${order.body.batchId}?itemState=failed`);
    expect(failed.body.items.map((i: { cardId: string; code: string }) => [i.cardId, i.code])).toEqual([
      [cards[2], "card.no_usable_certificate"],
    ]);
    expect((await card(cards[2]!)).state).toBe("issued");
    expect((await card(cards[3]!)).state).toBe("active");
  });

  it("gives up an activation chunk that fails three times for a reason not its cards': the card stays issued, with a documented code, and is activated again", async () => {
    // The database refuses every activation, as a broken disk would: not the card's fault.
    const { db } = suite.t.app.services.store;
    if (dialect === "sqlite")
      await sql`create trigger refuse_activation before update of state on cards when new.state = 'active'
        begin select raise(abort, 'the disk is gone'); end`.execute(db);
    else {
      await sql`create function refuse_activation() returns trigger language plpgsql
        as $$ begin raise exception 'the disk is gone'; end $$`.execute(db);
      await sql`create trigger refuse_activation before update of state on cards
        for each row when (new.state = 'active') execute function refuse_activation()`.execute(db);
    }
    try {
      const order = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", {
        cardIds: [cards[4]],
      });
      expect(order.status).toBe(202);
      let batch = (await issuer("GET", `/api/v1/batches/${order.body.batchId}`)).body;
      for (let waited = 0; batch.state === "running"; waited += 50) {
        if (waited > 20_000) throw new Error("the batch did not give up");
        await new Promise((resolve) => setTimeout(resolve, 50));
        await suite.t.app.runner.idle();
        batch = (await issuer("GET", `/api/v1/batches/${order.body.batchId}`)).body;
      }
      expect(batch).toMatchObject({ state: "completed", done: 0, failed: 1 });
      expect(batch.items[0]).toMatchObject({ code: "batch.production_failed" });
      expect(batch.items[0].reason).toContain("the disk is gone");
      const documented = (
        await suite.t.server.inject({ url: "/api/docs", headers: { accept: "*/*" } })
      ).json();
      expect(documented.info.description).toContain("an activation batch's card stays issued");
      expect((await card(cards[4]!)).state).toBe("issued");
    } finally {
      if (dialect === "sqlite") await sql`drop trigger refuse_activation`.execute(db);
      else {
        await sql`drop trigger refuse_activation on cards`.execute(db);
        await sql`drop function refuse_activation()`.execute(db);
      }
    }
    const again = await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: cards[4] });
    expect([again.status, again.body.card?.state]).toEqual([200, "active"]);
  });

  it("refuses a release on an inactive card, and a reactivation without a usable certificate", async () => {
    const id = cards[3]!;
    const serial = await onlySerial(id);
    expect((await helpdesk("POST", "/api/v1/processes/CardsProcDeactivate", { cardId: id })).status).toBe(
      200,
    );
    const release = await helpdesk("POST", "/api/v1/processes/CertificatesProcRelease", { serial });
    expect([release.status, release.body.error.code]).toEqual([409, "certificate.card_not_active"]);
    await security("POST", "/api/v1/processes/CertificatesProcRevoke", { serial, reason: "keyCompromise" });
    const reactivate = await helpdesk("POST", "/api/v1/processes/CardsProcReactivate", { cardId: id });
    expect([reactivate.status, reactivate.body.error.code]).toEqual([409, "card.no_usable_certificate"]);
    expect((await card(id)).state).toBe("inactive");
  });
});
