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

/**
 * Statements each database parses once, not at every call.
 *
 * A batch records each chunk in a few statements of hundreds of rows (250 cards' state changes,
 * 500 certificates), each cell a bound parameter: thousands of parameters a statement. Parsing
 * and planning such a statement cost the database about as much as writing its rows. Through
 * the store, 20,000 certificate rows in inserts of 500 took PostgreSQL 780 ms of CPU as new
 * statements and 300–400 ms as prepared ones. (A chunk's updates go as arrays instead:
 * `update-rows.ts`.) On SQLite, preparing was about a tenth of the main thread's work in a batch.
 */
/**
 * SQLite: the last `capacity` statements, by their text. Kysely runs one statement at a time on
 * its one SQLite connection and reads every result whole, so a statement is never used twice at
 * once. SQLite prepares a statement again by itself when the schema it was made on changes.
 */
export function reusingStatements(database: BetterSqlite3.Database, capacity = 128): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) statements.delete(sql);
      else {
        statement = database.prepare(sql);
        // A Map keeps insertion order: its first key is the least recently used.
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

export interface PreparingOptions {
  /** Inserts with at least this many parameters are prepared; default 100. */
  readonly minParameters?: number;
  /** Prepared statements a connection keeps at most; default 8. */
  readonly perConnection?: number;
}

/**
 * PostgreSQL: inserts of many rows (`insert into … values (…), …` with `minParameters` or more
 * parameters) become prepared statements of their connection, named by their text, so the
 * server parses and plans them once per connection and not at every chunk. Every other
 * statement goes as it is: short ones cost little to parse, and the plan of a statement that
 * reads a table (an update joined to its rows, a search) depends on how large the table is,
 * which a plan kept with the connection would not follow as the table grew.
 *
 * A prepared statement lives as long as its connection, and one of 500 rows holds ≈ 1.7 MB of
 * the server's memory, so a connection prepares at most `perConnection`; past that, statements
 * go unprepared. A batch's chunks use a handful of texts, the first ones a connection sees; the
 * pool closes connections idle for 10 s, and their statements with them.
 */
export function preparingPool(pool: pg.Pool, options: PreparingOptions = {}): PostgresPool {
  const minParameters = options.minParameters ?? 100;
  const perConnection = options.perConnection ?? 8;
  const clients = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let preparing = clients.get(client);
      if (!preparing) {
        preparing = new PreparingClient(client, minParameters, perConnection);
        clients.set(client, preparing);
      }
      return preparing;
    },
    end: () => pool.end(),
  };
}

const insertOfValues = /^insert into [^()]+ \([^()]*\) values \(/;

/** One connection of {@link preparingPool}, with the names of the statements it prepared. */
class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #minParameters: number;
  readonly #perConnection: number;
  readonly #prepared = new Set<string>();

  constructor(client: pg.PoolClient, minParameters: number, perConnection: number) {
    this.#client = client;
    this.#minParameters = minParameters;
    this.#perConnection = perConnection;
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
    if (values.length < this.#minParameters || !insertOfValues.test(query))
      return client.query<R>(query, values);
    // SHA-1 names the text, it protects nothing: a name stands for one text on its connection.
    const name = `t${createHash("sha1").update(query).digest("hex")}`;
    if (!this.#prepared.has(name)) {
      if (this.#prepared.size >= this.#perConnection) return client.query<R>(query, values);
      this.#prepared.add(name);
    }
    return this.#client.query({ name, text: query, values: [...values] }) as unknown as Promise<
      PostgresQueryResult<R>
    >;
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}
