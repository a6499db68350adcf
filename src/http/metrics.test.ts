import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { appWithApprovedCards } from "../test-support/approved-cards.js";
import { dialects } from "../test-support/databases.js";
import type { TestApp } from "../test-support/test-app.js";

/** One sample of the Prometheus text format: `name{label="value",…} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition format (the subset prom-client writes: no timestamps, no escapes in labels). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe.each(dialects)("GET /metrics on %s", (dialect) => {
  let t: TestApp;
  let auditorToken: string;
  let production: ApiClient;
  let cardIds: string[];
  let scrapes = 0;

  async function scrape(): Promise<Sample[]> {
    const response = await t.server.inject({
      url: "/metrics",
      headers: { authorization: `Bearer ${auditorToken}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    scrapes++;
    return parseExposition(response.body);
  }

  /** The value of one series; undefined when the series is absent. */
  function seriesValue(samples: Sample[], name: string, labels: Record<string, string> = {}) {
    return samples.find(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === Object.keys(labels).length &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value;
  }

  beforeAll(async () => {
    ({ t, production, cardIds } = await appWithApprovedCards(dialect, {
      lastName: "Metric",
      count: 5,
      template: "Employee ID",
    }));
    expect(cardIds).toHaveLength(5);
    await t.operator("desk", ["helpdesk"]);
    // A Prometheus server scrapes with an auditor's API token.
    const { watcher } = await loggedInOperators(t, { watcher: ["auditor"] });
    auditorToken = (await watcher("POST", "/api/v1/tokens", { name: "prometheus" })).body.token;
  });
  afterAll(() => t.close());

  it("is for administrators and auditors only", async () => {
    const anonymous = await t.server.inject({ url: "/metrics" });
    expect(anonymous.statusCode).toBe(401);
    const helpdesk = await t.server.inject({ url: "/metrics", headers: { cookie: await t.login("desk") } });
    expect([helpdesk.statusCode, helpdesk.json().error.code]).toEqual([403, "auth.forbidden"]);
    const admin = await t.server.inject({ url: "/metrics", headers: { cookie: await t.login("admin") } });
    expect(admin.statusCode).toBe(200);
    scrapes++;
  });

  it("counts the cards it was given, by state and template, and no batch yet", async () => {
    const samples = await scrape();
    expect(seriesValue(samples, "tessera_cards", { state: "approved", template: "Employee ID" })).toBe(5);
    expect(samples.filter((s) => s.name === "tessera_cards").map((s) => s.labels.state)).toEqual([
      "approved",
    ]);
    expect(seriesValue(samples, "tessera_batches_running")).toBe(0);
    expect(seriesValue(samples, "tessera_cards_produced_total")).toBe(0);
    // This instance is no production station: no card waits at it for a blank card.
    expect(seriesValue(samples, "tessera_cards_waiting_for_blank_card")).toBe(0);
    for (const state of ["onHold", "valid", "revoked", "expired"])
      expect(seriesValue(samples, "tessera_certificates", { state })).toBe(0);
  });

  it("follows a batch: running while it waits, then the cards it produced and their certificates", async () => {
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: cardIds.slice(0, 3),
    });
    expect(order.status).toBe(202);
    // The runner is not started yet: the batch waits, running.
    expect(seriesValue(await scrape(), "tessera_batches_running")).toBe(1);

    t.app.runner.start();
    await t.app.runner.idle();
    const samples = await scrape();
    expect(seriesValue(samples, "tessera_batches_running")).toBe(0);
    expect(seriesValue(samples, "tessera_cards_produced_total")).toBe(3);
    expect(seriesValue(samples, "tessera_cards", { state: "issued", template: "Employee ID" })).toBe(3);
    expect(seriesValue(samples, "tessera_cards", { state: "approved", template: "Employee ID" })).toBe(2);
    // The template has two profiles (authentication, signature); the default end state is on hold.
    expect(seriesValue(samples, "tessera_certificates", { state: "onHold" })).toBe(6);
    expect(seriesValue(samples, "tessera_certificates", { state: "valid" })).toBe(0);
  });

  it("says how old the CRL is", async () => {
    const crl = await t.server.inject({ url: "/pki/crl" });
    expect(crl.statusCode).toBe(200);
    const thisUpdate = Date.parse(crl.headers["last-modified"] as string);
    t.clock.advance(90_000);
    const age = seriesValue(await scrape(), "tessera_crl_age_seconds");
    expect(age).toBe((t.clock().getTime() - thisUpdate) / 1000);
    expect(age).toBeGreaterThanOrEqual(90);
  });

  it("times the requests it answered, by route pattern and status", async () => {
    // A request is timed once answered: this scrape shows the ones before it.
    const before = scrapes;
    const samples = await scrape();
    const scrapeCount = { method: "GET", route: "/metrics", status: "200" };
    expect(seriesValue(samples, "tessera_http_request_duration_seconds_count", scrapeCount)).toBe(before);
    expect(
      seriesValue(samples, "tessera_http_request_duration_seconds_count", {
        method: "POST",
        route: "/api/v1/processes/CardsBoProcIssueMultiple",
        status: "202",
      }),
    ).toBe(1);
    // One series per route pattern, whatever id the URL carries.
    await production("GET", "/api/v1/cards/no-such-card");
    await production("GET", "/api/v1/cards/another-missing-card");
    expect(
      seriesValue(await scrape(), "tessera_http_request_duration_seconds_count", {
        method: "GET",
        route: "/api/v1/cards/:id",
        status: "404",
      }),
    ).toBe(2);
    expect(
      seriesValue(samples, "tessera_http_request_duration_seconds_count", {
        method: "GET",
        route: "/metrics",
        status: "403",
      }),
    ).toBe(1);
    const buckets = samples.filter(
      (s) =>
        s.name === "tessera_http_request_duration_seconds_bucket" &&
        s.labels.route === "/metrics" &&
        s.labels.status === "200",
    );
    expect(buckets.at(-1)).toMatchObject({ labels: { le: "+Inf" }, value: before });
  });
});
