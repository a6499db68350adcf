import { loadPkcs11Module, type TokenInfo } from "../pkcs11/pkcs11-module.js";
import { usageError } from "./args.js";

type Flags = Map<string, string | boolean>;

/** A token as `tessera tokens` reports it. */
interface ListedToken {
  readonly serial: string;
  readonly label: string;
  readonly model: string;
  readonly manufacturer: string;
  /** Ready to be personalised: not initialised, or initialised with a blank card's label. */
  readonly blank: boolean;
}

/**
 * `tessera tokens --module PATH [--blank-label REGEX] [--json]`: what the readers of a production
 * station hold, so an operator sees the module works and which cards are blank before a batch.
 * A module that cannot be loaded is `pkcs11.module_unavailable` (exit 1, the cause on stderr).
 */
export function runTokensCommand(flags: Flags): number {
  const modulePath = flags.get("module");
  if (typeof modulePath !== "string")
    throw usageError(
      "tokens needs --module, the path of the PKCS#11 module, e.g. tessera tokens --module /usr/lib/softhsm/libsofthsm2.so",
    );
  const blankLabel = flags.get("blank-label");
  let blankPattern: RegExp | undefined;
  if (typeof blankLabel === "string") {
    try {
      blankPattern = new RegExp(blankLabel);
    } catch (error) {
      throw usageError(`--blank-label is not a regular expression: ${(error as Error).message}`);
    }
  }
  const module = loadPkcs11Module(modulePath);
  let tokens: TokenInfo[];
  try {
    tokens = module.listTokens();
  } finally {
    module.close();
  }
  const listed: ListedToken[] = tokens.map((token) => ({
    serial: token.serial,
    label: token.label,
    model: token.model,
    manufacturer: token.manufacturer,
    blank: !token.isInitialised || (blankPattern?.test(token.label) ?? false),
  }));
  if (flags.get("json")) {
    process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
    return 0;
  }
  if (listed.length === 0) {
    process.stdout.write(`No token is present in the readers of ${modulePath}.\n`);
    return 0;
  }
  const rows = [
    ["SERIAL", "LABEL", "MODEL", "BLANK"],
    // SoftHSM keeps one uninitialised token without a serial, for making the next token.
    ...listed.map((token) => [
      token.serial || "(none)",
      token.label,
      token.model,
      token.blank ? "yes" : "no",
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd()}\n`,
    );
  return 0;
}
