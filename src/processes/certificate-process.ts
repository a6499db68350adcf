import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import { findProcess } from "../domain/process-catalog.js";
import { nowIso } from "../services/services.js";
import { type Db, transact } from "../store/database.js";
import type { CertificateProcessName, ProcessBody } from "./process-contracts.js";
import { defineProcess, type HandlerOf } from "./process-handler.js";

/**
 * A process on one certificate named by its serial, its body as its contract says: in one
 * transaction, `check` may refuse it, then the change is made (recorded by the CA's status, with
 * its history entry). Answers the certificate as it is now.
 */
export function defineCertificateProcess<Name extends CertificateProcessName>(
  symbolicName: Name,
  changeOf: (body: ProcessBody<Name>) => CertificateChange,
  check?: (trx: Db, serial: string) => Promise<void>,
): HandlerOf<Name> {
  const handler = defineProcess(findProcess<CertificateProcessName>(symbolicName), {
    status: 200,
    async run(services, actor, body) {
      const certificate = await transact(services.store, async (trx) => {
        await check?.(trx, body.serial);
        return changeCertificateState(
          trx,
          services.audit,
          actor,
          body.serial,
          // This name's contract parsed the body (see card-process.ts).
          changeOf(body as ProcessBody<Name>),
          nowIso(services),
        );
      });
      return { certificate };
    },
  });
  return handler as HandlerOf<Name>;
}
