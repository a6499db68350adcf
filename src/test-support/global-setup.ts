import { execFileSync } from "node:child_process";

/** Suites that start Tessera as a real process (CLI, crash tests) run the built code: build it once. */
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
