import { type Selectable, type SelectQueryBuilder, sql } from "kysely";
import { TesseraError } from "../domain/errors.js";
import { expiringCardStates } from "../domain/expiring-cards.js";
import type { User } from "../domain/user.js";
import { countRows, countRowsUpTo } from "./count-rows.js";
import { decodeCursor, type Page } from "./cursor.js";
import { type Db, isPostgres } from "./database.js";
import { insertInSlices, selectInSlices } from "./in-slices.js";
import { keysetOrderName, orderByColumn, selectKeysetPage } from "./keyset-page.js";
import {
  countedNameMatches,
  fewNameMatches,
  holderNamed,
  type NameScan,
  nameMatch,
  nameMatchesUpTo,
  nameQueryWords,
  usersInNameOrder,
} from "./name-search.js";
import type { PageRequest, SortRequest } from "./page-request.js";
import type { Database, UserTable } from "./schema.js";
import { updatedAtVersion } from "./versioned-update.js";

export type NewUser = Omit<User, "hasPhoto" | "state" | "version" | "createdAt" | "updatedAt"> & {
  photo: { data: Buffer; type: string } | null;
};

export function searchName(lastName: string, firstName: string): string {
  return `${lastName} ${firstName}`.toLowerCase();
}

type UserRowWithoutPhoto = Selectable<Omit<UserTable, "photo">> & { has_photo: number | boolean };

function toUser(row: UserRowWithoutPhoto): User {
  return {
    id: row.id,
    identifier: row.identifier,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    organizationalUnit: row.organizational_unit,
    organization: row.organization,
    title: row.title,
    upn: row.upn,
    sid: row.sid,
    nameOnCard: row.name_on_card,
    address: row.address ? (JSON.parse(row.address) as string[]) : null,
    hasPhoto: Boolean(row.has_photo),
    state: row.state as User["state"],
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const userColumns = [
  "id",
  "identifier",
  "first_name",
  "last_name",
  "email",
  "organizational_unit",
  "organization",
  "title",
  "upn",
  "sid",
  "name_on_card",
  "address",
  "photo_type",
  "state",
  "search_name",
  "version",
  "created_by",
  "created_at",
  "updated_at",
] as const;

/** The columns {@link toUser} reads: the photo itself stays behind, only whether there is one. */
function selectUsers<O>(query: SelectQueryBuilder<Database, "users", O>) {
  return query
    .select(userColumns)
    .select((eb) => eb.case().when("photo", "is not", null).then(1).else(0).end().as("has_photo"));
}

export async function insertUser(db: Db, user: NewUser, at: string): Promise<void> {
  await insertUsers(db, [user], at);
}

/** Inserts the users, active, created at `at`. */
export async function insertUsers(db: Db, users: readonly NewUser[], at: string): Promise<void> {
  // 19 columns a row: 1,000 rows stay below SQLite's 32,766 bound variables.
  await insertInSlices(db, "users", users, 1000, (user) => ({
    id: user.id,
    identifier: user.identifier,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    organizational_unit: user.organizationalUnit,
    organization: user.organization,
    title: user.title,
    upn: user.upn,
    sid: user.sid,
    name_on_card: user.nameOnCard,
    address: user.address ? JSON.stringify(user.address) : null,
    photo: user.photo?.data ?? null,
    photo_type: user.photo?.type ?? null,
    state: "active",
    search_name: searchName(user.lastName, user.firstName),
    created_by: user.createdBy,
    created_at: at,
    updated_at: at,
  }));
}

/** Sets a user's postal address, the lines a PIN letter is mailed to. */
export async function setUserAddress(db: Db, id: string, address: string[]): Promise<void> {
  await db
    .updateTable("users")
    .set({ address: JSON.stringify(address) })
    .where("id", "=", id)
    .execute();
}

/** The fields an edit may change (the identifier stays: it names the person in certificates). */
export type UserDetailChanges = Partial<
  Pick<
    NewUser,
    | "email"
    | "organizationalUnit"
    | "organization"
    | "title"
    | "upn"
    | "sid"
    | "nameOnCard"
    | "address"
    | "photo"
  >
> & {
  /** Both parts together: the search key is made from the two. */
  name?: { firstName: string; lastName: string };
  state?: User["state"];
};

/**
 * Changes a user only if it is still at `version` (optimistic concurrency, as for cards: of two
 * officers editing one user at once, the second is refused). Returns whether the row changed.
 */
export async function updateUser(
  db: Db,
  id: string,
  version: number,
  changes: UserDetailChanges,
  at: string,
): Promise<boolean> {
  const c = changes;
  return updatedAtVersion(
    db.updateTable("users").set({
      ...(c.name && {
        first_name: c.name.firstName,
        last_name: c.name.lastName,
        search_name: searchName(c.name.lastName, c.name.firstName),
      }),
      ...(c.email !== undefined && { email: c.email }),
      ...(c.organizationalUnit !== undefined && { organizational_unit: c.organizationalUnit }),
      ...(c.organization !== undefined && { organization: c.organization }),
      ...(c.title !== undefined && { title: c.title }),
      ...(c.upn !== undefined && { upn: c.upn }),
      ...(c.sid !== undefined && { sid: c.sid }),
      ...(c.nameOnCard !== undefined && { name_on_card: c.nameOnCard }),
      ...(c.address !== undefined && { address: c.address ? JSON.stringify(c.address) : null }),
      ...(c.photo !== undefined && { photo: c.photo?.data ?? null, photo_type: c.photo?.type ?? null }),
      ...(c.state !== undefined && { state: c.state }),
      version: version + 1,
      updated_at: at,
    }),
    { id, version },
  );
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const row = await selectUsers(db.selectFrom("users")).where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}

export async function findUserPhoto(db: Db, id: string): Promise<{ data: Buffer; type: string } | undefined> {
  const row = await db
    .selectFrom("users")
    .select(["photo", "photo_type"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.photo && row.photo_type ? { data: Buffer.from(row.photo), type: row.photo_type } : undefined;
}

/** Which of these SIDs another user has already. */
export async function findTakenSids(db: Db, sids: string[]): Promise<Set<string>> {
  const rows = await selectInSlices(sids, 1000, (slice) =>
    db.selectFrom("users").select("sid").where("sid", "in", slice).execute(),
  );
  return new Set(rows.flatMap((row) => (row.sid ? [row.sid] : [])));
}

/** Which of these identifiers are taken already. */
export async function findTakenIdentifiers(db: Db, identifiers: string[]): Promise<Set<string>> {
  const rows = await selectInSlices(identifiers, 1000, (slice) =>
    db.selectFrom("users").select("identifier").where("identifier", "in", slice).execute(),
  );
  return new Set(rows.map((row) => row.identifier));
}

export interface UserFilter {
  q?: string | undefined;
  state?: string | undefined;
  organizationalUnit?: string | undefined;
  /** Only users holding an expiring card (domain/expiring-cards.ts) that ends before this ISO instant. */
  expiresBefore?: string | undefined;
}

/**
 * A page of the users a filter matches, by name, with their total. `q` finds a user by
 * identifier, e-mail or words of the name; a search by name counts no further than
 * {@link countedNameMatches} (`totalIsLowerBound`).
 */
export async function searchUsers(
  db: Db,
  filter: UserFilter,
  page: PageRequest,
  sort?: UserSort,
): Promise<Page<User>> {
  const order = usersOrderOf(sort);
  // A blank query is none: the box left with a space in it lists everyone.
  const q = filter.q?.trim() || undefined;
  // An identifier or an e-mail names one user: looked up first, as index probes. An e-mail is
  // kept as registered ("Ida.Berg@Example.ORG"): found as typed, or lower-cased for one kept so.
  const exact = q
    ? await db
        .selectFrom("users")
        .select("id")
        .where((eb) =>
          eb.or([eb("identifier", "=", q), eb("email", "in", [...new Set([q, q.toLowerCase()])])]),
        )
        .execute()
    : [];
  const words = q === undefined ? undefined : wordsOfQuery(q, exact.length > 0);
  const matching = (scan: NameScan) => {
    let query = usersMatching(db, filter);
    if (words === undefined) return query;
    const named = words.length > 0 ? holderNamed(db, "users.id", words, scan) : sql.lit(false);
    const ids = exact.map((row) => row.id);
    // With no user of that identifier or e-mail (the usual case), the names alone: a condition
    // each database's planner can read the list in its order for. Otherwise the few users so
    // named join those the names find.
    query =
      ids.length === 0 ? query.where(named) : query.where((eb) => eb.or([eb("users.id", "in", ids), named]));
    return query;
  };
  if (words === undefined) {
    const query = matching("fromNames");
    return selectKeysetPage(selectUsers(query), page, await countRows(query), order, toUser);
  }
  // SQLite reads an `in (select …)` whole before it counts the first user (a million for "b");
  // joined to the names, it stops at the cap. PostgreSQL's planner stops there itself, given
  // semi-joins ("inOrder"); from the words' array it would read every match first. The unary +
  // leaves FTS5 no rowid to be asked for, so the names come first and each user is one lookup.
  const toCount =
    isPostgres(db) || exact.length > 0 || words.length === 0
      ? matching("inOrder")
      : usersMatching(db, filter).innerJoin(
          sql<{ rowid: number }>`user_name_search(${nameMatch(words)})`.as("named"),
          (join) => join.on(sql<boolean>`+named.rowid = users.rowid`),
        );
  const { n, more } = await countRowsUpTo(db, toCount, page.exactTotal ? undefined : countedNameMatches);
  const scan = more ? await namedPageScan(db, filter, exact.length, words, order.sort) : "fromNames";
  const pageQuery =
    scan === "wordsInOrder"
      ? usersMatching(db, filter).where(
          usersInNameOrder(words, order.direction, cursorKey(page, order), page.limit + 1),
        )
      : matching(scan);
  const found = await selectKeysetPage(selectUsers(pageQuery), page, n, order, toUser);
  return { ...found, totalIsLowerBound: more };
}

/**
 * The name words of a users search. An e-mail or identifier that names a user may have more
 * parts than a name search takes words ("jean-pierre.de.la.fontaine@ministere.gouv.fr"): it is
 * then that user alone, where it was refused as too long a name.
 */
function wordsOfQuery(q: string, namesUser: boolean): string[] {
  try {
    return nameQueryWords(q);
  } catch (error) {
    if (namesUser && error instanceof TesseraError && error.code === "request.invalid") return [];
    throw error;
  }
}

/**
 * How a page of users a name search matches past the count is read when listed by name: few
 * matches (see {@link fewNameMatches}) are sorted from the names' index — on PostgreSQL from
 * the words with their sort names alone ({@link usersInNameOrder}, a search by name alone), on
 * SQLite from the FTS5 matches — and many are met soon enough reading the users in their order.
 */
async function namedPageScan(
  db: Db,
  filter: UserFilter,
  exactMatches: number,
  words: readonly string[],
  sort: string,
): Promise<NameScan | "wordsInOrder"> {
  if (exactMatches > 0 || words.length === 0 || sort !== "search_name") return "inOrder";
  if ((await nameMatchesUpTo(db, words, fewNameMatches)) > fewNameMatches) return "inOrder";
  if (!isPostgres(db)) return "fromNames";
  const otherCriteria = Object.entries(filter).some(([key, value]) => key !== "q" && value !== undefined);
  return otherCriteria ? "fromNames" : "wordsInOrder";
}

/** The sort key and id the page's cursor continues after, read as `selectKeysetPage` reads it. */
function cursorKey(page: PageRequest, order: { list: string; sort: string; direction: string }) {
  if (!page.cursor) return undefined;
  const [name, id] = decodeCursor(page.cursor, ["text", "text"], keysetOrderName(order));
  return [String(name), String(id)] as const;
}

/** The fields a user search can be sorted by; by name ("last first", A to Z) unless asked. */
export const userSortFields = ["name", "identifier", "createdAt"] as const;
export type UserSort = SortRequest<(typeof userSortFields)[number]>;

const userSortColumns = { name: "search_name", identifier: "identifier", createdAt: "created_at" } as const;

function usersOrderOf(sort: UserSort | undefined) {
  return orderByColumn("users", userSortColumns[sort?.by ?? "name"], sort?.direction ?? "asc");
}

/** The users the filter's criteria other than `q` match, as a query to select from. */
function usersMatching(db: Db, filter: UserFilter) {
  let query = db.selectFrom("users");
  if (filter.state) query = query.where("users.state", "=", filter.state);
  if (filter.organizationalUnit) query = query.where("organizational_unit", "=", filter.organizationalUnit);
  if (filter.expiresBefore) {
    const before = filter.expiresBefore;
    query = query.where("users.id", "in", (eb) =>
      eb
        .selectFrom("cards")
        .select("cards.user_id")
        .where("cards.state", "in", expiringCardStates)
        .where("cards.expires_at", "<", before),
    );
  }
  return query;
}

export async function findUsersByIds(db: Db, ids: string[]): Promise<Map<string, User>> {
  const rows = await selectInSlices(ids, 1000, (slice) =>
    selectUsers(db.selectFrom("users")).where("id", "in", slice).execute(),
  );
  return new Map(rows.map((row) => [row.id, toUser(row)]));
}
