import { Group, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { CertificatesExpiringByMonth } from "../../api/types";
import { EmptyNote, ErrorAlert, Loading } from "../ErrorAlert";
import { formatNumber, plural } from "../format";
import { Section } from "../Section";
import { BarChart, FiguresTable } from "./bars";

// English names whatever the browser's language, as the rest of the UI; "en" writes "Sep", where
// "en-GB" now writes "Sept".
const longMonth = new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" });
const shortMonth = new Intl.DateTimeFormat("en", { month: "short", timeZone: "UTC" });
/** A month as the API writes it ("2026-03") in `format` ("March 2026", "Mar"). */
const monthOf = (month: string, format: Intl.DateTimeFormat) =>
  format.format(new Date(`${month}-01T00:00:00Z`));

/**
 * The certificates in use (valid, on hold) that end in each of the next 12 months (issue 13), as
 * bars with valid and on hold stacked; the table beside it, for screen readers, holds the figures.
 */
export function CertificatesExpiringPerMonth() {
  const expiring = useQuery({
    queryKey: ["certificates", "expiring-by-month"],
    queryFn: ({ signal }) =>
      api.get<CertificatesExpiringByMonth>("/api/v1/certificates/expiring-by-month", signal),
  });
  const data = expiring.data;
  const total = data?.months.reduce((sum, m) => sum + m.count, 0) ?? 0;
  return (
    <Section title="Certificates expiring per month" p="md">
      {expiring.error && <ErrorAlert error={expiring.error} />}
      {!data && !expiring.error && <Loading />}
      {data && total === 0 && <EmptyNote>No certificate in use ends in the next 12 months.</EmptyNote>}
      {data && total > 0 && (
        <figure
          className="picture"
          aria-label="Certificates expiring per month"
          data-testid="certificates-expiring"
        >
          <BarChart
            bars={data.months.map((m) => ({
              key: m.month,
              label: monthOf(m.month, shortMonth),
              parts: [
                { value: m.valid, color: "var(--mantine-color-green-7)" },
                { value: m.onHold, color: "var(--mantine-color-yellow-6)" },
              ],
            }))}
          />
          <figcaption>
            <Group gap="md" mt={4}>
              <Text size="sm">
                {plural(total, "certificate")} end from {monthOf(data.months[0]!.month, longMonth)} to{" "}
                {monthOf(data.months.at(-1)!.month, longMonth)}.
              </Text>
              <Text size="xs" c="dimmed">
                <span className="picture-key" style={{ background: "var(--mantine-color-green-7)" }} /> valid{" "}
                <span className="picture-key" style={{ background: "var(--mantine-color-yellow-6)" }} /> on
                hold
              </Text>
            </Group>
          </figcaption>
          <FiguresTable
            caption="Certificates in use ending per month"
            headers={["Month", "Valid", "On hold", "In all"]}
            rows={data.months.map((m) => [
              monthOf(m.month, longMonth),
              formatNumber(m.valid),
              formatNumber(m.onHold),
              formatNumber(m.count),
            ])}
          />
        </figure>
      )}
    </Section>
  );
}
