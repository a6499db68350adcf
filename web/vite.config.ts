import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The operator UI. `npm run build` writes it to web/dist, which Tessera serves at `/`.
 * Every page is its own chunk (React.lazy), so the first load carries only the shell.
 * In development (`npx vite --config web/vite.config.ts`) the API is proxied to a local Tessera.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Tessera's CSP has no 'unsafe-eval' or inline scripts: keep every script an external file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:3000",
      "/pki": "http://127.0.0.1:3000",
    },
  },
});
