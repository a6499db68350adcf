import { runProcess } from "./client";

/**
 * Checks of `runProcess`'s types, proved by the web's type-check (`npm run lint`) and never
 * called: a body or an answer that does not match the process's contract on the server
 * (src/processes/process-contracts.ts) must not compile.
 */
export function processCallsAreTyped() {
  // @ts-expect-error Lock card takes a reason (ARCHITECTURE.md: lost, stolen, damaged, left).
  void runProcess("CardsProcLock", { cardId: "c" });
  // @ts-expect-error Not a reason a card is locked for.
  void runProcess("CardsProcLock", { cardId: "c", reason: "misplaced" });
  // @ts-expect-error Not a process of the catalog.
  void runProcess("CardsProcShred", { cardId: "c" });
  // @ts-expect-error Request card answers the card requested, not a user.
  void runProcess("CardsProcRequest", { userId: "u", template: "t" }).then(({ user }) => user);
  // @ts-expect-error A batch order answers its batch's id.
  void runProcess("CardsBoProcIssueMultiple", { cardIds: ["c"] }).then(({ card }) => card);

  void runProcess("CardsProcLock", { cardId: "c", reason: "lost" }).then(({ card }) => card.state);
  void runProcess("CardsBoProcIssueMultiple", { cardIds: ["c"] }).then(({ batchId }) => batchId);
}
