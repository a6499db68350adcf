import type { CertificateAuthority } from "../ca/certificate-authority.js";
import type { CrlPublisher } from "../ca/crl-publisher.js";
import type { Actor, Clock } from "../domain/actor.js";
import type { CardTemplate } from "../domain/card-template.js";
import type { ProcessOptions } from "../domain/process-options.js";
import type { AuditLog } from "../store/audit-log.js";
import type { Db, Store } from "../store/database.js";
import type { ChipStation } from "./chip-station.js";

export type { Actor, Clock };

/**
 * What processes are given to work with. Built once by `createApp`; tests build it with a
 * real database and a fixed clock.
 */
export interface Services {
  readonly store: Store;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly templates: ReadonlyMap<string, CardTemplate>;
  readonly secrets: { readonly pukKey: Buffer };
  readonly ca: CertificateAuthority;
  readonly crl: CrlPublisher;
  /**
   * The deployment's process options as they stand now (administrators change them). Inside a
   * transaction pass it: on SQLite the transaction holds the only connection.
   */
  getOptions(db?: Db): Promise<ProcessOptions>;
  /** Cards per chunk of a batch: the unit produced and committed at once. */
  readonly batchChunkSize: number;
  /** Chunks this process's production threads hold at once: what a batch's last chunks are cut for (`planChunks`). */
  readonly batchChunksInFlight: number;
  /** Tells the batch runner there is new work (a batch order never runs it itself). */
  wakeBatchRunner(): void;
  /**
   * Why no certificate may be issued now, or undefined when it may: a Tessera outside the demo
   * whose public URL (TESSERA_PUBLIC_URL) was never set would write localhost into every
   * certificate's CRL and OCSP addresses.
   */
  readonly issuingRefusal?: string | undefined;
  /** The card readers this process reaches through PKCS#11 (see chip-station.ts). */
  readonly chipStation: ChipStation;
}

export const nowIso = (services: Pick<Services, "clock">) => services.clock().toISOString();
