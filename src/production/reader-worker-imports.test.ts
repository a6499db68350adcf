import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Issue 10, a station's first cards: a reader's thread starts when a card first takes it, and
 * the card waits for it. It loaded the whole PKI index, and through it the card templates'
 * zod schemas, to mark key usages and parse certificates: two threads took 190–470 ms to
 * answer, 100 ms without them (`bench pkcs11`: a third of a 40-card batch on a fresh station).
 */

/** The modules `file` loads when it runs: imports and re-exports that are not types only. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typesOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((element) => element.isTypeOnly));
      if (!typesOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly)
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
  }
  return found;
}

/** Every module the entry loads, transitively: the sources under `src/` and the packages. */
function loadedBy(entry: string): { sources: Set<string>; packages: Set<string> } {
  const sources = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (sources.has(file)) return;
    sources.add(file);
    for (const specifier of runtimeImports(file)) {
      if (!specifier.startsWith(".")) {
        packages.add(specifier);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
      if (!existsSync(target)) throw new Error(`${file} imports ${specifier}, which is not there`);
      visit(target);
    }
  };
  visit(path.resolve(entry));
  return {
    sources: new Set([...sources].map((file) => path.relative(process.cwd(), file))),
    packages,
  };
}

describe("a card reader's thread", () => {
  it("loads the PKCS#11 binding and the DER it needs, not the templates' schemas", () => {
    const { sources, packages } = loadedBy("src/production/reader-worker.ts");
    expect(sources).toContain("src/production/chip-card-steps.ts");
    expect(packages).toContain("pkcs11js");
    expect(packages).not.toContain("zod");
    expect([...sources].filter((file) => /^src\/(domain\/card-template|pki\/index)\.ts$/.test(file))).toEqual(
      [],
    );
  });
});
