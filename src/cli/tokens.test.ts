import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cliPath } from "../test-support/cli.js";
import { blankCardReaderForSuite, hasSoftHsm, softHsmModule } from "../test-support/softhsm.js";

const tessera = (...args: string[]) =>
  spawnSync("node", [cliPath, "tokens", ...args], { encoding: "utf8", timeout: 60_000, env: process.env });

describe.skipIf(!hasSoftHsm())("tessera tokens", () => {
  blankCardReaderForSuite(2, ["C-000001"]);

  it("lists the tokens the module sees, blank by label pattern or not initialised", () => {
    const result = tessera("--module", softHsmModule, "--blank-label", "^blank-");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SERIAL\s+LABEL\s+MODEL\s+BLANK$/);
    // Columns by the header's positions: a label may be empty.
    const starts = ["SERIAL", "LABEL", "MODEL", "BLANK"].map((title) => lines[0]!.indexOf(title));
    const cells = (line: string) =>
      starts.map((start, column) => line.slice(start, starts[column + 1]).trim());
    expect(
      lines
        .slice(1)
        .map(cells)
        .sort((a, b) => a[1]!.localeCompare(b[1]!)),
    ).toEqual([
      // SoftHSM's spare token, not initialised and without a serial: blank.
      ["(none)", "", "SoftHSM v2", "yes"],
      [expect.stringMatching(/^[0-9a-f]{16}$/), "blank-1", "SoftHSM v2", "yes"],
      [expect.stringMatching(/^[0-9a-f]{16}$/), "blank-2", "SoftHSM v2", "yes"],
      [expect.stringMatching(/^[0-9a-f]{16}$/), "C-000001", "SoftHSM v2", "no"],
    ]);
  });

  it("--json: serial, label, model, manufacturer and blank for each token", () => {
    const result = tessera("--module", softHsmModule, "--json");
    expect(result.status).toBe(0);
    const tokens = JSON.parse(result.stdout) as { serial: string; label: string; blank: boolean }[];
    const byLabel = new Map(tokens.map((token) => [token.label, token]));
    expect(byLabel.get("blank-1")).toMatchObject({
      serial: expect.stringMatching(/^[0-9a-f]{16}$/),
      model: "SoftHSM v2",
      manufacturer: "SoftHSM project",
      // Without --blank-label only a token that is not initialised is blank.
      blank: false,
    });
    expect(byLabel.get("")).toMatchObject({ serial: "", blank: true });
  });

  it("a module that cannot be loaded: a clear message and exit 1", () => {
    const result = tessera("--module", "/nonexistent/libcard.so");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^tessera: The PKCS#11 module \/nonexistent\/libcard\.so cannot be loaded or initialised: .*No such file/,
    );
    expect(result.stdout).toBe("");
  });
});
