import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import type {
  PostgresCursor,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryResult,
  SqliteDatabase,
} from "kysely";
import type pg from "pg";

// Statements each database parses once, not at every call.
//
// A batch records each chunk in a few statements of hundreds of rows (250 cards' state changes,
// 500 certificates), each cell a bound parameter: thousands of parameters a statement. Parsing
// and planning such a statement cost the database about as much as writing its rows. Through
// the store, 20,000 certificate rows in inserts of 500 took PostgreSQL 780 ms of CPU as new
// statements and 300–400 ms as prepared ones. (A chunk's updates go as arrays instead:
// `update-rows.ts`.) On SQLite, preparing was about a tenth of the main thread's work in a batch.
//
// A kept statement holds memory in proportion to its text (on SQLite ≈ 0.4 MB for 4,000
// parameters; on PostgreSQL ≈ 1.7 MB for 6,000 with its plan), so both keep a bounded length
// of text, not only a bounded number of statements.

export interface ReuseOptions {
  /** Statements kept at most; default 128. */
  readonly statements?: number;
  /** Characters of SQL kept at most, all statements together; default 256 KiB. */
  readonly characters?: number;
}

/**
 * SQLite: the most recently used statements, by their text, within `statements` and
 * `characters`. A kept statement is never still in use when it is handed out again: Kysely
 * runs one statement at a time on its one SQLite connection, and Tessera reads every result
 * whole (it never streams one with `iterate`, during which better-sqlite3 would refuse the same
 * statement). SQLite prepares a kept statement again by itself when the schema it was made on
 * changes.
 */
export function reusingStatements(
  database: BetterSqlite3.Database,
  options: ReuseOptions = {},
): SqliteDatabase {
  const most = options.statements ?? 128;
  const characters = options.characters ?? 256 * 1024;
  // A Map keeps insertion order: its first key is the least recently used.
  const kept = new Map<string, BetterSqlite3.Statement>();
  let length = 0;
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const statement = kept.get(sql);
      if (statement) {
        kept.delete(sql);
        kept.set(sql, statement);
        return statement;
      }
      const made = database.prepare(sql);
      if (sql.length > characters) return made;
      kept.set(sql, made);
      length += sql.length;
      while (kept.size > most || length > characters) {
        const oldest = kept.keys().next().value!;
        kept.delete(oldest);
        length -= oldest.length;
      }
      return made;
    },
  };
}

export interface PreparingOptions {
  /** Inserts with at least this many parameters are prepared; default 100. */
  readonly minParameters?: number;
  /** Prepared statements a connection keeps at most; default 8. */
  readonly perConnection?: number;
  /** Characters of SQL a connection's prepared statements hold at most together; default 128 KiB. */
  readonly characters?: number;
}

/**
 * PostgreSQL: inserts of many rows (`insert into … values (…), …` with `minParameters` or more
 * parameters) that a connection runs a second time become prepared statements of that
 * connection, named by their text, so the server parses and plans them once there and not at
 * every chunk. Every other statement goes as it is: short ones cost little to parse, one run
 * once (the last, shorter chunk of a batch) would only hold memory, and the plan of a statement
 * that reads a table (an update joined to its rows, a search) depends on how large the table
 * is, which a plan kept with the connection would not follow as the table grew.
 *
 * A prepared statement lives as long as its connection, and a busy connection may live long
 * (the pool hands out the one released last), so each keeps at most `perConnection` statements
 * and `characters` of their text; past that, statements go unprepared.
 */
export function preparingPool(pool: pg.Pool, options: PreparingOptions = {}): PostgresPool {
  const limits: Limits = {
    minParameters: options.minParameters ?? 100,
    perConnection: options.perConnection ?? 8,
    characters: options.characters ?? 128 * 1024,
  };
  const clients = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let preparing = clients.get(client);
      if (!preparing) {
        preparing = new PreparingClient(client, limits);
        clients.set(client, preparing);
      }
      return preparing;
    },
    end: () => pool.end(),
  };
}

type Limits = Required<PreparingOptions>;

const insertOfValues = /^insert into [^()]+ \([^()]*\) values \(/;

/** How many names of texts seen once a connection remembers, waiting for a second run. */
const sightings = 32;

/** One connection of {@link preparingPool}: the statements it prepared, and those it saw once. */
class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #limits: Limits;
  readonly #prepared = new Set<string>();
  #characters = 0;
  /** Names of texts run once, oldest first. */
  readonly #seen = new Set<string>();

  constructor(client: pg.PoolClient, limits: Limits) {
    this.#client = client;
    this.#limits = limits;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    query: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const client = this.#client as unknown as PostgresPoolClient;
    if (typeof query !== "string") return client.query(query);
    const values = parameters ?? [];
    const name = this.#nameFor(query, values.length);
    if (!name) return client.query<R>(query, values);
    return this.#client.query({ name, text: query, values: [...values] }) as unknown as Promise<
      PostgresQueryResult<R>
    >;
  }

  /** The name to run `query` under, or undefined to run it unprepared. */
  #nameFor(query: string, parameters: number): string | undefined {
    const limits = this.#limits;
    if (parameters < limits.minParameters || !insertOfValues.test(query)) return undefined;
    // SHA-1 names the text, it protects nothing: a name stands for one text on its connection.
    const name = `t${createHash("sha1").update(query).digest("hex")}`;
    if (this.#prepared.has(name)) return name;
    if (!this.#seen.has(name)) {
      this.#seen.add(name);
      if (this.#seen.size > sightings) this.#seen.delete(this.#seen.values().next().value!);
      return undefined;
    }
    if (this.#prepared.size >= limits.perConnection || this.#characters + query.length > limits.characters)
      return undefined;
    this.#seen.delete(name);
    this.#prepared.add(name);
    this.#characters += query.length;
    return name;
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}
