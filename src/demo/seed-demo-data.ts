import { createOperator } from "../access/operators.js";
import type { BatchScheduler } from "../batches/scheduler.js";
import type { Card } from "../domain/card.js";
import type { Role } from "../domain/roles.js";
import type { User } from "../domain/user.js";
import { runProcess } from "../processes/registry.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { searchCards } from "../store/cards.js";
import { countOperators } from "../store/operators.js";
import { newRowId } from "../store/row-ids.js";
import { insertUser, searchUsers, setUserAddress } from "../store/users.js";
import type { DemoClock } from "./demo-clock.js";

const firstNames = [
  "Anna",
  "Lars",
  "Maria",
  "Johan",
  "Elin",
  "Erik",
  "Sara",
  "Karl",
  "Ida",
  "Nils",
  "Emma",
  "Oskar",
  "Linnea",
  "Hugo",
  "Maja",
  "Axel",
  "Alva",
  "Leo",
  "Ebba",
  "Viktor",
  "Noor",
  "Amir",
  "Sofia",
  "Jonas",
  "Aisha",
  "Mateo",
];
const lastNames = [
  "Andersson",
  "Berg",
  "Carlsson",
  "Dahl",
  "Ek",
  "Forsberg",
  "Gustafsson",
  "Holm",
  "Isaksson",
  "Jansson",
  "Karlsson",
  "Lind",
  "Magnusson",
  "Nyberg",
  "Olsson",
  "Persson",
  "Quist",
  "Rahman",
  "Sandberg",
  "Törnqvist",
  "Ullman",
  "Vikström",
  "Wallin",
  "Yilmaz",
  "Zetterberg",
];
const units = [
  "Finance",
  "Human Resources",
  "IT Operations",
  "Legal",
  "Logistics",
  "Research",
  "Customer Service",
];
const streets = ["Storgatan", "Kungsgatan", "Drottninggatan", "Skolvägen", "Parkgatan", "Sjövägen"];
const cities = [
  ["111 20", "Stockholm"],
  ["411 01", "Göteborg"],
  ["211 20", "Malmö"],
  ["753 20", "Uppsala"],
] as const;

/** Demo operators, one per role; they share the first administrator's password. */
const demoOperators: [string, Role][] = [
  ["registrar", "registrationOfficer"],
  ["approver", "approver"],
  ["production", "productionAdministrator"],
  ["issuer", "issuingAuthority"],
  ["helpdesk", "helpdesk"],
  ["security", "securityOfficer"],
  ["auditor", "auditor"],
  // Fetches and purges the PIN letters; the production administrator fetches the tokens.
  ["mailroom", "pinMailer"],
];

/** What seeding takes of the app: the services the processes run with, and the batch runner. */
/** What seeding demo data (and a batch command) takes of the app. */
export interface DemoApp {
  services: Services;
  runner: BatchScheduler;
}

/** The demo's Windows domain: its users' SIDs are this and their relative id. */
const demoDomainSid = "S-1-5-21-1004336348-1177238915-682003330";

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * Fills an empty Tessera with a demo office: operators for each role, 201 users, cards in every
 * request state (so that Search on the BATCH ORDERS page has approved cards to show), a
 * produced batch whose cards are issued, active, inactive and locked, and, on `clock`, twelve
 * cards made years ago that end within 20 and 75 days. It runs the real processes, so the
 * object history tells how each card got where it is. Says how many users and cards it made.
 */
export async function seedDemoData(
  app: DemoApp,
  password: string,
  clock?: DemoClock,
): Promise<{ seeded: false } | { seeded: true; users: number; cards: number }> {
  const { services } = app;
  const { db } = services.store;
  if ((await countOperators(db)) > 1 || (await searchUsers(db, {}, { limit: 1 })).total > 0)
    return { seeded: false };
  const { primary, secondary } = demoTemplatesOf(services);
  // The office's past, where the app's clock can be set back: its people registered and its
  // first cards made so long ago that they end within 20 and 75 days.
  const past = <T>(endsInDays: number, work: () => Promise<T>) =>
    clock && primary.encoder === "software" ? clock.during(primary.validityDays - endsInDays, work) : work();
  const actors = await past(20, () => registerOffice(services, password));
  const users = (await searchUsers(db, {}, { limit: 500 })).items;
  if (primary.encoder === "software") {
    for (const [endsInDays, holders] of [
      [20, users.slice(185, 191)],
      [75, users.slice(191, 197)],
    ] as const)
      await past(endsInDays, () =>
        produceDemoCards(app, actors, primary.name, holders, { activate: holders.length }),
      );
  }
  const registrar = actors.registrar!;
  const approver = actors.approver!;

  // 185 users get a card today; 3 have none yet, so Request card has someone to act on. The
  // cards are of the configured templates: the shipped ones, or a deployment's own (then perhaps
  // chip cards).
  const withCards = users.slice(0, 185);
  const employee = withCards.slice(0, 150).map((u) => u.id);
  const contractor = withCards.slice(150).map((u) => u.id);
  await runProcess(services, registrar, "CardsBoProcRequestMultiple", {
    userIds: employee,
    template: primary.name,
  });
  await runProcess(services, registrar, "CardsBoProcRequestMultiple", {
    userIds: contractor,
    template: secondary.name,
  });

  const requested = (await searchCards(db, { state: "requested" }, { limit: 500 })).items;
  // Of 185 requests: 140 approved, 15 rejected, 10 aborted, 20 left waiting for approval.
  for (const [i, card] of requested.entries()) {
    if (i < 140)
      await runProcess(services, approver, "CardsProcApprove", { cardId: card.id, decision: "approve" });
    else if (i < 155)
      await runProcess(services, approver, "CardsProcApprove", {
        cardId: card.id,
        decision: "reject",
        reason: "The photo does not meet the requirements.",
      });
    else if (i < 165)
      await runProcess(services, registrar, "CardsProcAbortRequest", {
        cardId: card.id,
        reason: "The holder left before the card was made.",
      });
  }

  // Demo cards are produced as software tokens only: chips wait for an operator's batch.
  if (primary.encoder === "software") {
    const approved = (await searchCards(db, { state: "approved", template: primary.name }, { limit: 40 }))
      .items;
    await produceDemoCards(app, actors, primary.name, approved, { activate: 20, deactivate: 3, lock: 3 });
    await failDemoCard(app, actors, primary.name);
  }
  return {
    seeded: true,
    users: (await searchUsers(db, {}, { limit: 1 })).total,
    cards: (await searchCards(db, {}, { limit: 1 })).total,
  };
}

/** The demo's operators, one per role, and its 200 registered people with their addresses. */
async function registerOffice(services: Services, password: string): Promise<Record<string, Actor>> {
  const { db } = services.store;
  const actors: Record<string, Actor> = {};
  for (const [username, role] of demoOperators) {
    const { operator } = await createOperator(services, null, { username, password, roles: [role] });
    actors[username] = { id: operator.id, username, roles: operator.roles };
  }
  // Every demo user has a UPN and a SID of the demo's domain, so their cards' authentication
  // certificates can log on to Windows with strong mapping (issue 11).
  const rows = ["firstName,lastName,email,identifier,organizationalUnit,organization,title,upn,sid"];
  for (let i = 0; i < 200; i++) {
    const first = firstNames[(i * 7) % firstNames.length]!;
    const last = lastNames[(i * 11 + Math.floor(i / 25)) % lastNames.length]!;
    const id = `E${String(10001 + i)}`;
    const email = `${first}.${last}.${i + 1}`
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^\x20-\x7e]/g, "");
    rows.push(
      [
        first,
        last,
        `${email}@demo.tessera.example`,
        id,
        units[i % units.length]!,
        "Tessera Demo Office",
        i % 9 === 0 ? "Manager" : "Officer",
        `${email}@demo.tessera.example`,
        `${demoDomainSid}-${1101 + i}`,
      ]
        .map(csvField)
        .join(","),
    );
  }
  await runProcess(services, actors.registrar!, "UsersBoProcImport", { csv: `${rows.join("\n")}\n` });

  const users = (await searchUsers(db, {}, { limit: 500 })).items;
  // Addresses for the PIN letters, set directly: import takes no address column.
  for (const [i, user] of users.entries()) {
    const [postalCode, city] = cities[i % cities.length]!;
    await setUserAddress(db, user.id, [
      `${streets[i % streets.length]} ${(i % 40) + 1}`,
      `${postalCode} ${city}`,
    ]);
  }
  return actors;
}

/** The templates the demo's cards are requested with: a software one first where there is one. */
function demoTemplatesOf(services: Services) {
  const templates = [...services.templates.values()];
  const primary = templates.find((template) => template.encoder === "software") ?? templates[0]!;
  const secondary = templates.find((template) => template !== primary) ?? primary;
  return { primary, secondary };
}

/**
 * Cards past production, so that every role has something to act on at the first login: a
 * batch of `cards` (approved, or holders to request and approve them for) of `template` (a
 * software one) produced by the real runner (print file, PIN letters, software tokens); of them
 * the issuer activates `activate`, the helpdesk deactivates `deactivate` of those and the
 * security officer locks `lock` as lost. The rest stay issued, waiting for activation.
 */
async function produceDemoCards(
  app: DemoApp,
  actors: Record<string, Actor>,
  template: string,
  cards: readonly (Card | User)[],
  { activate, deactivate = 0, lock = 0 }: { activate: number; deactivate?: number; lock?: number },
): Promise<void> {
  const { services } = app;
  const cardIds: string[] = [];
  for (const card of cards) {
    if ("cardNumber" in card) {
      cardIds.push(card.id);
      continue;
    }
    const requested = await runProcess(services, actors.registrar!, "CardsProcRequest", {
      userId: card.id,
      template,
    });
    const { card: made } = requested.result as { card: { id: string } };
    await runProcess(services, actors.approver!, "CardsProcApprove", {
      cardId: made.id,
      decision: "approve",
    });
    cardIds.push(made.id);
  }
  const order = await runProcess(services, actors.production!, "CardsBoProcIssueMultiple", { cardIds });
  const { batchId } = order.result as { batchId: string };
  app.runner.start();
  await app.runner.idle();
  const issued = (
    await searchCards(services.store.db, { state: "issued", batchId }, { limit: cardIds.length })
  ).items;
  const activated = issued.slice(0, activate);
  for (const card of activated)
    await runProcess(services, actors.issuer!, "CardsProcActivate", { cardId: card.id });
  for (const card of activated.slice(0, deactivate))
    await runProcess(services, actors.helpdesk!, "CardsProcDeactivate", { cardId: card.id });
  for (const card of activated.slice(deactivate, deactivate + lock))
    await runProcess(services, actors.security!, "CardsProcLock", { cardId: card.id, reason: "lost" });
}

/**
 * One card that failed on its holder's data, which a registrar can mend: a person taken over
 * from an older register before Tessera checked names, whose full name is too long for a card.
 * Its card page says to give a name on card (Edit user), after which Repeat production makes it.
 */
async function failDemoCard(app: DemoApp, actors: Record<string, Actor>, template: string): Promise<void> {
  const { services } = app;
  const userId = newRowId();
  // Inserted as the old register held it: registration and import would refuse this name.
  await insertUser(
    services.store.db,
    {
      id: userId,
      identifier: "E10999",
      firstName: "Maximiliane Theodora Friederike",
      lastName: "von Hohenzollern-Sigmaringen-Wittelsbach",
      email: "maximiliane.hohenzollern@demo.tessera.example",
      organizationalUnit: "Legal",
      organization: "Tessera Demo Office",
      title: "Officer",
      upn: "maximiliane.hohenzollern@demo.tessera.example",
      sid: `${demoDomainSid}-1999`,
      nameOnCard: null,
      address: ["Storgatan 1", "111 22 Stockholm"],
      photo: null,
      createdBy: actors.registrar!.id,
    },
    nowIso(services),
  );
  const requested = await runProcess(services, actors.registrar!, "CardsProcRequest", { userId, template });
  const { card } = requested.result as { card: { id: string } };
  await runProcess(services, actors.approver!, "CardsProcApprove", { cardId: card.id, decision: "approve" });
  await runProcess(services, actors.production!, "CardsBoProcIssueMultiple", { cardIds: [card.id] });
  await app.runner.idle();
}

export const demoOperatorNames = demoOperators.map(([name]) => name);
