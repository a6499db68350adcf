import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import { nowIso } from "../services/services.js";
import { type Db, transact } from "../store/database.js";
import type { CertificateProcessName, ProcessBody } from "./process-contracts.js";
import { defineProcess } from "./process-handler.js";

/**
 * A process on one certificate named by its serial, its body as its contract says: in one
 * transaction, `check` may refuse it, then the change is made (recorded by the CA's status, with
 * its history entry). Answers the certificate as it is now.
 */
export function defineCertificateProcess<Name extends CertificateProcessName>(
  symbolicName: Name,
  changeOf: (body: ProcessBody<Name>) => CertificateChange,
  check?: (trx: Db, serial: string) => Promise<void>,
) {
  return defineProcess<CertificateProcessName>(symbolicName, {
    status: 200,
    async run(services, actor, input) {
      // The name's own body is the one its contract parsed (see card-process.ts).
      const body = input as ProcessBody<Name>;
      const certificate = await transact(services.store, async (trx) => {
        await check?.(trx, input.serial);
        return changeCertificateState(
          trx,
          services.audit,
          actor,
          input.serial,
          changeOf(body),
          nowIso(services),
        );
      });
      return { certificate };
    },
  });
}
