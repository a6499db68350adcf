import { TesseraError } from "../../domain/errors.js";
import { resolveIssueOptions } from "../../domain/issue-options.js";
import { findProcess } from "../../domain/process-catalog.js";
import { findTemplatesOfCards } from "../../store/cards.js";
import { orderBatch, selectCardIds } from "../batch-order.js";
import { defineProcess } from "../process-handler.js";

const definition = findProcess("CardsBoProcIssueMultiple");

/**
 * Issue multiple cards, as the seed page has it: the operator searched the approved cards,
 * ticked some (or "all N matching"), chose the options the deployment offers and clicked Next.
 * This records the batch and claims its cards; the batch runner produces them in the
 * background, and the batch shows its progress until it is completed or cancelled.
 */
export const cardsBoProcIssueMultiple = defineProcess(definition, {
  status: 202,
  async run(services, actor, body) {
    if (services.issuingRefusal) throw new TesseraError("batch.public_url_not_set", services.issuingRefusal);
    const { db } = services.store;
    const cardIds = await selectCardIds(db, body, "approved");
    const templates = [...(await findTemplatesOfCards(db, cardIds))].map((template) => {
      const found = services.templates.get(template);
      if (!found)
        throw new TesseraError("template.not_found", `Card template ${template} is no longer configured.`);
      return found;
    });
    const options = resolveIssueOptions(body.options ?? {}, await services.getOptions(), templates);
    return orderBatch(
      services,
      actor,
      definition,
      cardIds,
      "approved",
      { ...options },
      services.batchChunkSize,
    );
  },
});
