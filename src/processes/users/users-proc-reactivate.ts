import { findProcess } from "../../domain/process-catalog.js";
import { changeUser, loadUserInState } from "../../services/user-steps.js";
import { transact } from "../../store/database.js";
import { defineProcess } from "../process-handler.js";

const definition = findProcess("UsersProcReactivate");

/**
 * Reactivate user: someone who left comes back. Their locked cards stay locked (locked is
 * final); new cards are requested as for anyone.
 */
export const usersProcReactivate = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    const user = await transact(services.store, async (trx) => {
      const user = await loadUserInState(trx, definition, body, "inactive");
      return changeUser(
        { services, trx, actor, process: definition },
        user,
        { state: "active" },
        { from: "inactive", to: "active" },
      );
    });
    return { user };
  },
});
