import type { TesseraError } from "../domain/errors.js";

/** The code of the `TesseraError` that `run` throws, or "no error": for tables of refused input. */
export function errorCodeOf(run: () => unknown): string {
  try {
    run();
    return "no error";
  } catch (error) {
    return (error as TesseraError).code;
  }
}
