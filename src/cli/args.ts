import { TesseraError } from "../domain/errors.js";

/** A small, strict parser for `--flag`, `--no-flag` and `--name value`: unknown flags are errors. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | boolean>;
}

/** The `cli.usage` error: the command line is wrong; the message says how (the CLI exits with 2). */
export function usageError(message: string): TesseraError {
  return new TesseraError("cli.usage", message);
}

export function parseArgs(argv: string[], known: { booleans: string[]; values: string[] }): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (known.booleans.includes(name)) flags.set(name, true);
    else if (name.startsWith("no-") && known.booleans.includes(name.slice(3)))
      flags.set(name.slice(3), false);
    else if (known.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw usageError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw usageError(`unknown option --${name}`);
  }
  return { positional, flags };
}
