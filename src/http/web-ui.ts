import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The built operator UI (web/dist), relative to this file in src/ or dist/. */
export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");

/**
 * Serves the operator UI: its files, and index.html for every other GET outside /api and /pki,
 * so that each page of the single-page app is reachable by its own URL.
 */
export async function registerWebUi(server: FastifyInstance, root = webRoot): Promise<boolean> {
  if (!existsSync(path.join(root, "index.html"))) return false;
  // The UI's files are what a browser loads before logging in: public, and declared as such
  // like every route (the access check refuses a route that declares nothing). @fastify/static
  // marks each of its routes with the file it serves.
  server.addHook("onRoute", (route) => {
    if (route.config && "rootPath" in route.config) route.config = { ...route.config, access: "public" };
  });
  await server.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ["index.html"],
    setHeaders(res, filePath) {
      // Hashed assets never change; index.html must always be fresh.
      res.header(
        "cache-control",
        filePath.includes(`${path.sep}assets${path.sep}`)
          ? "public, max-age=31536000, immutable"
          : "no-cache",
      );
    },
  });
  return true;
}

export function isUiRoute(method: string, url: string): boolean {
  return (
    (method === "GET" || method === "HEAD") &&
    !url.startsWith("/api/") &&
    !url.startsWith("/pki/") &&
    url !== "/healthz" &&
    url !== "/metrics"
  );
}
