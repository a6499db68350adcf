import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The floors of ARCHITECTURE.md, lowest first, by folder under `src/`, and for the files at the
 * top of `src/` by file. A module imports only from a lower floor or from its own folder.
 */
const floors: Record<string, number> = {
  domain: 1,
  store: 2,
  pki: 2,
  pkcs11: 2.5, // above pki, whose DER it reuses; below ca and production, which will drive it
  "config.ts": 2,
  "file-permissions.ts": 2,
  ca: 3,
  production: 3,
  audit: 3,
  services: 4,
  processes: 5,
  batches: 5,
  expiry: 5,
  access: 5,
  http: 6,
  demo: 6,
  // The composition root builds every part below it; the benchmarks build an app and serve it;
  // the command line starts all of them.
  "app.ts": 6,
  bench: 7,
  cli: 8,
};

/** Only the store talks to the database: these calls and the `sql` tag are its alone. */
const queryMethods = new Set(["selectFrom", "updateTable", "insertInto", "deleteFrom"]);

interface Violation {
  file: string;
  line: number;
  message: string;
}

const isExempt = (file: string) => file.endsWith(".test.ts") || file.startsWith("src/test-support/");

/**
 * Where a module sits: its folder under `src/` (`.` for the files at the top) and its floor.
 * `src/store/cards.ts` → store, 2; `src/config.js` → ., 2 (imports name the emitted `.js`).
 */
function placeOf(file: string): { folder: string; floor: number | undefined } | undefined {
  const [root, first, ...rest] = file.split("/");
  if (root !== "src" || first === undefined) return undefined;
  if (rest.length > 0) return { folder: first, floor: floors[first] };
  return { folder: ".", floor: floors[first.replace(/\.js$/, ".ts")] };
}

/** The relative module specifiers a file names, static, re-exported, dynamic or in a type, with their lines. */
function relativeImports(source: ts.SourceFile): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const add = (literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteralLike(literal) && literal.text.startsWith("."))
      found.push({
        specifier: literal.text,
        line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1,
      });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Queries written in a file: the Kysely builder entry points, `.transaction()` and `sql` templates. */
function queries(source: ts.SourceFile): { what: string; line: number }[] {
  const found: { what: string; line: number }[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (queryMethods.has(name) || (name === "transaction" && node.arguments.length === 0))
        found.push({ what: `.${name}(`, line: at(node.expression.name) });
    } else if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === "sql") {
      found.push({ what: "sql`…`", line: at(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Judges a tree given as {path under the repository → source}: every import that reaches up a
 * floor or sideways to another folder on the same floor, and every query outside `src/store/`.
 * Tests and `src/test-support/` are exempt.
 */
function checkFloors(files: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (isExempt(file)) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const place = placeOf(file);
    if (place?.floor === undefined) {
      violations.push({ file, line: 1, message: "is on no floor: add its folder to the table" });
    } else {
      for (const { specifier, line } of relativeImports(source)) {
        const target = placeOf(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
        const problem =
          target?.floor === undefined
            ? "which is on no floor"
            : target.floor > place.floor
              ? `floor ${target.floor}, above its own (${place.floor})`
              : target.floor === place.floor && target.folder !== place.folder
                ? `another folder on floor ${place.floor}`
                : undefined;
        if (problem) violations.push({ file, line, message: `imports ${specifier}: ${problem}` });
      }
    }
    if (!file.startsWith("src/store/"))
      for (const { what, line } of queries(source))
        violations.push({ file, line, message: `writes a query (${what}) outside src/store/` });
  }
  return violations;
}

const describeViolation = (v: Violation) => `${v.file}:${v.line} ${v.message}`;

function readTree(root: string, under: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(path.join(root, under), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(root, full).split(path.sep).join("/")] = readFileSync(full, "utf8");
  }
  return files;
}

describe("floors", () => {
  it("reports an upward import, a sideways import and queries outside the store, and nothing else", () => {
    const violations = checkFloors({
      "src/store/cards.ts": [
        'import type { Card } from "../domain/card.js";',
        'import { runProcess } from "../processes/registry.js";',
        'export const find = (db) => db.selectFrom("cards").selectAll().execute();',
      ].join("\n"),
      "src/batches/runner.ts": [
        'import { lease } from "./lease.js";',
        'export { activateCard } from "../processes/activate.js";',
        '// db.selectFrom("cards") and sql`select 1` in a comment are no query',
        "/* db.transaction() */",
        'const server = await import("../http/server.js");',
        'export type Server = import("../store/database.js").Store;',
      ].join("\n"),
      "src/demo/seed.ts": [
        'import { sql } from "kysely";',
        'import { config } from "../config.js";',
        "await db",
        '  .updateTable("users")',
        "  .execute();",
        "await sql<number>`select 1`.execute(db);",
        "await db.transaction().execute(async () => {});",
      ].join("\n"),
      "src/config.ts": [
        'import { roles } from "./domain/roles.js";',
        'import { modeOf } from "./file-permissions.js";',
        'import { store } from "./store/database.js";',
        'import type { App } from "./app.js";',
      ].join("\n"),
      "src/store/cards.test.ts": 'import { http } from "../http/server.js";\ndb.deleteFrom("cards");',
      "src/test-support/app.ts": 'import { createApp } from "../app.js";\ndb.insertInto("cards");',
      "src/plugins/x.ts": "",
    }).map(describeViolation);
    expect(violations).toEqual([
      "src/batches/runner.ts:2 imports ../processes/activate.js: another folder on floor 5",
      "src/batches/runner.ts:5 imports ../http/server.js: floor 6, above its own (5)",
      "src/config.ts:3 imports ./store/database.js: another folder on floor 2",
      "src/config.ts:4 imports ./app.js: floor 6, above its own (2)",
      "src/demo/seed.ts:4 writes a query (.updateTable() outside src/store/",
      "src/demo/seed.ts:6 writes a query (sql`…`) outside src/store/",
      "src/demo/seed.ts:7 writes a query (.transaction() outside src/store/",
      "src/plugins/x.ts:1 is on no floor: add its folder to the table",
      "src/store/cards.ts:2 imports ../processes/registry.js: floor 5, above its own (2)",
    ]);
  });

  it("holds for every module under src/", () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    expect(checkFloors(readTree(root, "src")).map(describeViolation)).toEqual([]);
  });
});
