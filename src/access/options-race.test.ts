import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { changeOptions } from "./change-options.js";

/**
 * Found attacking issue 8: an options change read the options, judged whether it weakens a
 * four-eyes rule against what it read, and wrote the whole options back. Sent while another
 * administrator's change was committing, a harmless-looking patch (PUK delivery) judged
 * against the options before that change wrote them back as they were: the approval step,
 * just switched back on by one administrator, was off again on another's word alone, with no
 * pending change and no history entry saying so.
 */
describe.each(dialects)("options changed at the same moment on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
  });
  afterAll(() => t.close());

  it("keeps both changes: a harmless patch never undoes the approval step switched back on", async () => {
    const one = await t.operator("one", ["administrator"]);
    const other = await t.operator("other", ["administrator"]);
    for (const pukDelivery of ["print", "none", "print"] as const) {
      await changeOptions(t.app.services, one, { approvalStep: false });
      // approvalStep off → on is a strengthening: applied at once, like the PUK delivery.
      const [on, puk] = await Promise.all([
        changeOptions(t.app.services, one, { approvalStep: true }),
        changeOptions(t.app.services, other, { pukDelivery }),
      ]);
      expect([on.applied, puk.applied]).toEqual([true, true]);
      const now = await t.app.services.getOptions();
      expect({ approvalStep: now.approvalStep, pukDelivery: now.pukDelivery }).toEqual({
        approvalStep: true,
        pukDelivery,
      });
      // Off again for the next round: a weakening, so through a second administrator.
      const off = await changeOptions(t.app.services, one, { approvalStep: false });
      if (!off.applied) {
        const { approvePendingChange } = await import("./decide-pending-change.js");
        await approvePendingChange(t.app.services, other, off.pendingChange.id);
      }
    }
  });
});
