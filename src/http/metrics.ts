import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { certificateStates } from "../domain/certificate-states.js";
import type { Role } from "../domain/roles.js";
import { readStoreMetrics } from "../store/metrics.js";
import type { ServedApp } from "./served-app.js";

/**
 * Who may scrape `/metrics`: the counts say how busy the office is, not whose cards they are, but
 * they are not for the world. A Prometheus server scrapes with an API token
 * (`authorization: Bearer …`) of an operator holding the auditor role, who changes nothing.
 */
const metricsAccess: readonly Role[] = ["administrator", "auditor"];

/**
 * `GET /metrics` in the Prometheus text format: batches running, cards produced, cards by state
 * and template, certificates by state, the CRL's age (read from the database at each scrape, so
 * every instance sharing one PostgreSQL reports the same), and the duration of the HTTP requests
 * this instance answered and the cards its own station holds waiting for blank cards. The registry belongs to this server: no process-wide state.
 */
export function registerMetrics(server: FastifyInstance, app: ServedApp): void {
  const registry = new Registry();
  const registers = [registry];
  const requestDuration = new Histogram({
    name: "tessera_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  /** A gauge in this registry, with the labels `labelNames`. */
  const gauge = <Label extends string>(name: string, help: string, labelNames: readonly Label[] = []) =>
    new Gauge<Label>({ name, help, labelNames, registers });
  const batchesRunning = gauge("tessera_batches_running", "Batch orders that are running.");
  const cardsProduced = new Counter({
    name: "tessera_cards_produced_total",
    help: "Cards issued by Issue multiple cards batches.",
    registers,
  });
  const cards = gauge("tessera_cards", "Cards by state and card template.", ["state", "template"]);
  const certificates = gauge("tessera_certificates", "Certificates by state.", ["state"]);
  const crlAge = gauge(
    "tessera_crl_age_seconds",
    "Seconds since the thisUpdate of the newest CRL (absent until one is published).",
  );
  const waitingForBlankCard = gauge(
    "tessera_cards_waiting_for_blank_card",
    "Cards this instance's production station holds until a blank card is put in its readers.",
  );

  server.addHook("onResponse", async (request, reply) => {
    // The route's pattern, not the URL: one series per route, whatever ids the URLs carry.
    const route = request.routeOptions.url ?? "unmatched";
    requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  server.get(
    "/metrics",
    {
      config: { access: metricsAccess },
      schema: {
        tags: ["monitoring"],
        summary: "Metrics in the Prometheus text format",
        description:
          "For an administrator or an auditor: scrape with an API token of an auditor (`Authorization: Bearer …`).",
      },
    },
    async (_request, reply) => {
      const counts = await readStoreMetrics(app.services.store.db);
      batchesRunning.set(counts.batchesRunning);
      // The count lives in the database, shared by every instance: set, not incremented here.
      cardsProduced.reset();
      cardsProduced.inc(counts.cardsProduced);
      cards.reset();
      for (const { state, template, count } of counts.cards) cards.set({ state, template }, count);
      for (const state of certificateStates) certificates.set({ state }, 0);
      for (const { state, count } of counts.certificates) certificates.set({ state }, count);
      crlAge.reset();
      if (counts.latestCrlThisUpdate)
        crlAge.set((app.services.clock().getTime() - Date.parse(counts.latestCrlThisUpdate)) / 1000);
      waitingForBlankCard.set(app.services.chipStation.cardsWaitingForBlankCard());
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}
