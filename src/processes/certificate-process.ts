import { z } from "zod";
import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import { findProcess, type SymbolicName } from "../domain/process-catalog.js";
import { nowIso } from "../services/services.js";
import { type Db, transact } from "../store/database.js";
import { defineProcess } from "./process-handler.js";
import { certificateSchema } from "./schemas.js";

const serialSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([0-9a-f]{2}){1,20}$/, "a serial number in hexadecimal");

/**
 * A process on one certificate named by its serial: in one transaction, `check` may refuse it,
 * then the change is made (recorded by the CA's status, with its history entry). Answers the
 * certificate as it is now.
 */
export function defineCertificateProcess<Fields extends z.ZodRawShape>(
  symbolicName: SymbolicName,
  fields: Fields,
  changeOf: (body: z.infer<z.ZodObject<Fields>>) => CertificateChange,
  check?: (trx: Db, serial: string) => Promise<void>,
) {
  return defineProcess({
    definition: findProcess(symbolicName),
    status: 200,
    body: z.strictObject({ serial: serialSchema, ...fields }),
    result: z.object({ certificate: certificateSchema }),
    async run(services, actor, input) {
      // The schema above parsed it; zod cannot spell its type through a generic shape.
      const body = input as { serial: string } & z.infer<z.ZodObject<Fields>>;
      const certificate = await transact(services.store, async (trx) => {
        await check?.(trx, body.serial);
        return changeCertificateState(
          trx,
          services.audit,
          actor,
          body.serial,
          changeOf(body),
          nowIso(services),
        );
      });
      return { certificate };
    },
  });
}
