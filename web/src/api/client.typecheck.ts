import { runProcess } from "./client";

/**
 * Checks of `runProcess`'s types, proved by the web's type-check (`npm run lint`) and never
 * called: a body or an answer that does not match the process's contract on the server
 * (src/processes/process-contracts.ts) must not compile. Each expected error is alone on its line.
 */
export function processCallsAreTyped() {
  // @ts-expect-error Lock card takes a reason (ARCHITECTURE.md: lost, stolen, damaged, left).
  void runProcess("CardsProcLock", { cardId: "c" });
  // @ts-expect-error Not a reason a card is locked for.
  void runProcess("CardsProcLock", { cardId: "c", reason: "misplaced" });
  // @ts-expect-error Not a process of the catalog.
  void runProcess("CardsProcShred", { cardId: "c" });

  const requested = runProcess("CardsProcRequest", { userId: "u", template: "t" });
  // @ts-expect-error Request card answers the card requested, not a user.
  void requested.then((answer) => answer.user);
  void requested.then((answer) => answer.card.cardNumber);

  const ordered = runProcess("CardsBoProcIssueMultiple", { cardIds: ["c"] });
  // @ts-expect-error A batch order answers its batch, not a card.
  void ordered.then((answer) => answer.card);
  void ordered.then((answer) => answer.batchId);
}
