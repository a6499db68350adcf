import { execFileSync } from "node:child_process";

/**
 * Suites that start Tessera as a real process (CLI, crash tests) run the built code, and the
 * browser suites the built UI: build both once, as `npm start` does.
 */
export default function setup(): void {
  // For a quick run of a few files while the built code is already current.
  if (process.env.TESSERA_TEST_SKIP_BUILD === "1") return;
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  // Vitest sets NODE_ENV=test; the UI is tested as it ships, React's production build.
  execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
