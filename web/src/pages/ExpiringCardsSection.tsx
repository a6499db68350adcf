import { Anchor, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../api/client";
import type { ExpiringCards } from "../api/types";
import { type Column, DataTable } from "../components/DataTable";
import { EmptyNote, ErrorAlert, Loading } from "../components/ErrorAlert";
import { formatNumber, plural } from "../components/format";
import { Section } from "../components/Section";

type Row = ExpiringCards["templates"][number];

/**
 * "Cards expiring": per template, how many cards in use expire within 30, 60 and 90 days. Each
 * figure is a link to the Cards list showing those cards (its expiresBefore is the window's end),
 * named in words for screen readers.
 */
export function ExpiringCardsSection() {
  const expiring = useQuery({
    queryKey: ["cards", "expiring"],
    queryFn: ({ signal }) => api.get<ExpiringCards>("/api/v1/cards/expiring", signal),
  });
  const data = expiring.data;
  const columns: Column<Row>[] = [
    { header: "Card template", cell: (row) => row.template },
    ...(data?.windows ?? []).map(
      (window, i): Column<Row> => ({
        // "≤ 30 d" keeps four columns within a phone's width; the title and the links' labels say it in full.
        header: (
          <span title={`Within ${window.days} days: expire before ${window.expiresBefore} (UTC)`}>
            ≤ {window.days} days
          </span>
        ),
        className: "num",
        cell: (row) => {
          const count = row.expiring[i]?.count ?? 0;
          return (
            <Anchor
              component={Link}
              to={withQuery("/cards", { template: row.template, expiresBefore: window.expiresBefore })}
              aria-label={`${plural(count, `${row.template} card`)} expiring within ${window.days} days, before ${window.expiresBefore}`}
              style={{ fontVariantNumeric: "tabular-nums" }}
            >
              {formatNumber(count)}
            </Anchor>
          );
        },
      }),
    ),
  ];
  return (
    <Section title="Cards expiring" p="md">
      {expiring.error && <ErrorAlert error={expiring.error} />}
      {!data && !expiring.error && <Loading />}
      {data && data.templates.length === 0 && (
        <EmptyNote>No card in use expires in the next {data.windows.at(-1)?.days ?? 90} days.</EmptyNote>
      )}
      {data && data.templates.length > 0 && (
        <>
          <DataTable
            label="Cards expiring per card template"
            rows={data.templates}
            rowKey={(row) => row.template}
            columns={columns}
            minWidth={320}
          />
          <Text size="sm" c="dimmed" mt="xs">
            Issued and active cards, counted in every window they fall in: a card within 30 days is also
            within 60 and 90. Renew multiple cards takes the active ones.
          </Text>
        </>
      )}
    </Section>
  );
}
