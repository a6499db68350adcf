import { findProcess } from "../../domain/process-catalog.js";
import { transact } from "../../store/database.js";
import { defineProcess } from "../process-handler.js";
import { findTemplate, requestCards } from "./cards-proc-request.js";

const definition = findProcess("CardsBoProcRequestMultiple");

/**
 * Request multiple cards (batch order): one card of a template for each of many users, in one
 * transaction; users that cannot have one are reported, the others get theirs.
 */
export const cardsBoProcRequestMultiple = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    const template = findTemplate(services, body.template);
    return transact(services.store, (trx) =>
      requestCards(services, trx, actor, definition, body.userIds, template),
    );
  },
});
