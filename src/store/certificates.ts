import { type InsertObject, sql } from "kysely";
import type { CertificateRecord } from "../domain/certificate.js";
import type { CertificateState, RevocationReason } from "../domain/certificate-states.js";
import { countRows } from "./count-rows.js";
import type { Page } from "./cursor.js";
import type { Db } from "./database.js";
import { insertRowsInSlices } from "./in-slices.js";
import { selectKeysetPage } from "./keyset-page.js";
import type { PageRequest, SortRequest } from "./page-request.js";
import type { Database } from "./schema.js";
import { reserveSequence } from "./sequences.js";

export interface NewCertificate {
  serial: string;
  cardId: string | null;
  profile: string;
  subject: string;
  state: CertificateState;
  der: Buffer;
  notBefore: string;
  notAfter: string;
  /** Set for a certificate recorded on hold. */
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
}

const columns = [
  "serial",
  "card_id as cardId",
  "profile",
  "subject",
  "state",
  "not_before as notBefore",
  "not_after as notAfter",
  "revoked_at as revokedAt",
  "revocation_reason as revocationReason",
  "created_at as createdAt",
  "updated_at as updatedAt",
] as const;

/** The counter a CRL compares with to know whether it is stale. */
const statusVersion = "certificate-status";

export async function bumpCertificateStatusVersion(db: Db): Promise<void> {
  await reserveSequence(db, statusVersion);
}

export async function currentCertificateStatusVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom("sequences")
    .select("value")
    .where("name", "=", statusVersion)
    .executeTakeFirst();
  return Number(row?.value ?? 0);
}

export async function insertCertificates(db: Db, certificates: NewCertificate[], at: string): Promise<void> {
  const rows: InsertObject<Database, "certificates">[] = [];
  let revoked = false;
  for (const c of certificates) {
    rows.push({
      serial: c.serial,
      card_id: c.cardId,
      profile: c.profile,
      subject: c.subject,
      state: c.state,
      der: c.der,
      not_before: c.notBefore,
      not_after: c.notAfter,
      revoked_at: c.revokedAt,
      revocation_reason: c.revocationReason,
      created_at: at,
      updated_at: at,
    });
    if (c.revokedAt) revoked = true;
  }
  await insertRowsInSlices(db, "certificates", rows, 500);
  if (revoked) await bumpCertificateStatusVersion(db);
}

export async function findCertificate(db: Db, serial: string): Promise<CertificateRecord | undefined> {
  return db
    .selectFrom("certificates")
    .select(columns)
    .where("serial", "=", serial)
    .executeTakeFirst() as Promise<CertificateRecord | undefined>;
}

export async function findCertificateDer(db: Db, serial: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom("certificates")
    .select("der")
    .where("serial", "=", serial)
    .executeTakeFirst();
  return row && Buffer.from(row.der);
}

export async function findCertificatesOfCard(db: Db, cardId: string): Promise<CertificateRecord[]> {
  return db
    .selectFrom("certificates")
    .select(columns)
    .where("card_id", "=", cardId)
    .orderBy("created_at")
    .orderBy("serial")
    .execute() as Promise<CertificateRecord[]>;
}

/**
 * Changes a certificate's state only from one of `from` (so two changes cannot both win) and
 * bumps the status counter the CRL is compared with. Returns whether it changed.
 */
export async function updateCertificateState(
  db: Db,
  serial: string,
  from: readonly CertificateState[],
  change: { state: CertificateState; revokedAt: string | null; revocationReason: RevocationReason | null },
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable("certificates")
    .set({
      state: change.state,
      revoked_at: change.revokedAt,
      revocation_reason: change.revocationReason,
      updated_at: at,
    })
    .where("serial", "=", serial)
    .where("state", "in", from)
    .executeTakeFirst();
  const changed = Number(result.numUpdatedRows) === 1;
  if (changed) await bumpCertificateStatusVersion(db);
  return changed;
}

export interface CertificateFilter {
  cardId?: string | undefined;
  state?: CertificateState | undefined;
  /** A serial (hex) or the start of the subject. */
  q?: string | undefined;
}

/** The fields a certificate search can be sorted by; newest first unless asked. */
export const certificateSortFields = ["createdAt", "notAfter"] as const;
export type CertificateSort = SortRequest<(typeof certificateSortFields)[number]>;

export async function searchCertificates(
  db: Db,
  filter: CertificateFilter,
  page: PageRequest,
  sort: CertificateSort = { by: "createdAt", direction: "desc" },
): Promise<Page<CertificateRecord>> {
  let query = db.selectFrom("certificates");
  if (filter.cardId) query = query.where("card_id", "=", filter.cardId);
  if (filter.state) query = query.where("state", "=", filter.state);
  if (filter.q) {
    const q = filter.q.trim();
    query = query.where((eb) =>
      eb.or([eb("serial", "=", q.toLowerCase()), eb("subject", ">=", q).and("subject", "<", `${q}\uffff`)]),
    );
  }
  const total = await countRows(query);
  return selectKeysetPage(
    query.select(columns),
    page,
    total,
    sort.by === "notAfter"
      ? {
          list: "certificates",
          sort: "not_after",
          tieBreak: "serial",
          direction: sort.direction,
          keyOf: (row) => [row.notAfter, row.serial],
        }
      : {
          list: "certificates",
          sort: "created_at",
          tieBreak: "serial",
          direction: sort.direction,
          keyOf: (row) => [row.createdAt, row.serial],
        },
    (row) => row as CertificateRecord,
  );
}

/**
 * Every certificate a CRL must list, in pages, serial order: those on hold or revoked, and those
 * that expired while on hold (they keep their revocation). RFC 5280 §3.3 lets an entry leave once
 * it has appeared on one regularly scheduled CRL issued after the certificate's end: with
 * `previousCrl`, the thisUpdate of the CRL before this one, an entry that ended before it and was
 * revoked before it (so that CRL listed it, after its end) is left out. Without one, all stay.
 */
export async function* listRevokedCertificates(
  db: Db,
  previousCrl: string | undefined,
): AsyncGenerator<{ serial: string; revokedAt: string; reason: RevocationReason }> {
  let after = "";
  for (;;) {
    const rows = await db
      .selectFrom("certificates")
      .select(["serial", "revoked_at", "revocation_reason"])
      .where("state", "in", ["onHold", "revoked", "expired"])
      .where("revoked_at", "is not", null)
      .$if(previousCrl !== undefined, (q) =>
        q.where((eb) => eb.or([eb("not_after", ">=", previousCrl!), eb("revoked_at", ">=", previousCrl!)])),
      )
      .where("serial", ">", after)
      .orderBy("serial")
      .limit(10_000)
      .execute();
    for (const row of rows)
      yield {
        serial: row.serial,
        revokedAt: row.revoked_at!,
        reason: row.revocation_reason as RevocationReason,
      };
    if (rows.length < 10_000) return;
    after = rows.at(-1)!.serial;
  }
}

/** How many certificates of one state end in one calendar month (`YYYY-MM`, UTC). */
export interface MonthlyExpiryCount {
  month: string;
  state: CertificateState;
  count: number;
}

/**
 * Counts the certificates in one of `states` whose notAfter lies in [`from`, `to`) (ISO instants),
 * per month of their end and state: months and states with none are left out. The month is the
 * text's own `YYYY-MM`, as every instant is stored in toISOString's UTC form.
 */
export async function countCertificatesEndingPerMonth(
  db: Db,
  states: readonly CertificateState[],
  from: string,
  to: string,
): Promise<MonthlyExpiryCount[]> {
  if (states.length === 0) return [];
  const month = sql<string>`substr(not_after, 1, 7)`;
  const rows = await db
    .selectFrom("certificates")
    .select([month.as("month"), "state"])
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .where("state", "in", states)
    .where("not_after", ">=", from)
    .where("not_after", "<", to)
    .groupBy([month, "state"])
    .orderBy(month)
    .orderBy("state")
    .execute();
  return rows.map((row) => ({
    month: row.month,
    state: row.state as CertificateState,
    count: Number(row.count),
  }));
}
