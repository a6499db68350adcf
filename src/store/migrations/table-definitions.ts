import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Tables and indexes as the migrations declare them: each column written as the SQL it becomes
 * ("text default 0 not null", "text not null references operators.id"), in the order Kysely
 * writes its parts, so a table reads like the schema SQLite stores.
 *
 * Frozen with the migrations that use it: deployed databases hold what these functions produced,
 * and a fresh database must get the very same schema. Never change what an existing word or
 * helper produces; a new need gets a new word.
 */

/** Column name → its definition, in the table's column order. */
export type ColumnDefinitions = Record<string, string>;

/** The modifiers a definition may use after its type, or else one word (refused below). */
const phrases = /\b(?:default \d+|not null|unique|primary key|autoincrement|references \w+\.\w+)\b|\S+/g;

/** `create table` with these columns; the caller adds table constraints and executes it. */
export function createTable(
  db: Kysely<unknown>,
  table: string,
  columns: ColumnDefinitions,
): CreateTableBuilder<string, string> {
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table);
  for (const [name, definition] of Object.entries(columns)) {
    const [type, ...modifiers] = definition.match(phrases) ?? [];
    builder = builder.addColumn(name, sql.raw(type ?? ""), (column) =>
      modifiers.reduce((built, modifier) => withModifier(built, modifier, definition), column),
    );
  }
  return builder;
}

function withModifier(
  column: ColumnDefinitionBuilder,
  modifier: string,
  definition: string,
): ColumnDefinitionBuilder {
  if (modifier === "not null") return column.notNull();
  if (modifier === "unique") return column.unique();
  if (modifier === "primary key") return column.primaryKey();
  if (modifier === "autoincrement") return column.autoIncrement();
  const [word, value] = modifier.split(" ");
  if (word === "default" && value !== undefined) return column.defaultTo(Number(value));
  if (word === "references" && value !== undefined) return column.references(value);
  throw new Error(`Column definition "${definition}": "${modifier}" is not a modifier these migrations use`);
}

/** The indexes of one table: index name → its columns, in order. */
export async function createIndexes(
  db: Kysely<unknown>,
  table: string,
  indexes: Record<string, string[]>,
): Promise<void> {
  for (const [name, columns] of Object.entries(indexes)) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}

/** Binary data: PostgreSQL calls it bytea. */
export function blobType(dialect: Dialect): string {
  return dialect === "postgres" ? "bytea" : "blob";
}

/**
 * A key the database numbers, never reused: a bigserial on PostgreSQL; on SQLite an
 * autoincrement rowid, whose numbers are not reused even after the last row is deleted.
 */
export function serialPrimaryKey(dialect: Dialect): string {
  return dialect === "postgres" ? "bigserial primary key" : "integer primary key autoincrement";
}
