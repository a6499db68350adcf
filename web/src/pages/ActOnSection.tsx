import { SimpleGrid, Text } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { api } from "../api/client";
import type { Page } from "../api/types";
import { useOperator } from "../auth/session";
import { CountTile } from "../components/CountTile";
import { ErrorAlert } from "../components/ErrorAlert";
import { Section } from "../components/Section";

type Role = Parameters<ReturnType<typeof useOperator>["has"]>[0] extends readonly (infer R)[] | "any"
  ? R
  : never;

/** One figure an operator can act on: what it counts (a list route's total) and where it is acted on. */
interface Figure {
  key: string;
  label: string;
  /** The list route and criteria (one item asked) whose `total` is the figure. */
  count: string;
  /** The list (or batch order) where the operator acts on them. */
  to: string;
  roles: readonly Role[];
}

/**
 * Per role, what waits for it (issue 13): each figure counts through the list routes the pages
 * use, and links to that list, filtered. An operator sees the figures of the roles they hold.
 */
const figures: Figure[] = [
  {
    key: "requested-to-decide",
    label: "Card requests to decide",
    count: "/api/v1/cards?state=requested&limit=1",
    to: "/approvals",
    roles: ["approver"],
  },
  {
    key: "rejected",
    label: "Requests rejected: request again or abort",
    count: "/api/v1/cards?state=rejected&limit=1",
    to: "/cards?state=rejected",
    roles: ["registrationOfficer"],
  },
  {
    key: "approved-waiting",
    label: "Approved cards waiting for a batch",
    count: "/api/v1/cards?state=approved&limit=1",
    to: "/batch-orders/issue-multiple-cards",
    roles: ["productionAdministrator"],
  },
  {
    key: "batches-running",
    label: "Batches running",
    count: "/api/v1/batches?state=running&limit=1",
    to: "/batches?state=running",
    roles: ["productionAdministrator"],
  },
  {
    key: "failed",
    label: "Cards failed in production",
    count: "/api/v1/cards?state=failed&limit=1",
    to: "/cards?state=failed",
    roles: ["productionAdministrator"],
  },
  {
    key: "issued-to-activate",
    label: "Issued cards to activate",
    count: "/api/v1/cards?state=issued&limit=1",
    to: "/batch-orders/activate-multiple-cards",
    roles: ["issuingAuthority"],
  },
  {
    key: "inactive",
    label: "Inactive cards (reactivate)",
    count: "/api/v1/cards?state=inactive&limit=1",
    to: "/cards?state=inactive",
    roles: ["helpdesk"],
  },
  {
    key: "pin-letters-kept",
    label: "Batches whose PIN letters wait to be sent and purged",
    count: "/api/v1/batches?pinLetters=kept&limit=1",
    to: "/batches?pinLetters=kept",
    roles: ["pinMailer"],
  },
  {
    key: "refused",
    label: "Refused actions in the history",
    count: "/api/v1/audit?outcome=refused&limit=1",
    to: "/audit?outcome=refused",
    roles: ["auditor", "securityOfficer"],
  },
];

/** "For you": the figures of the operator's roles, each a link to the filtered list. */
export function ActOnSection() {
  const operator = useOperator();
  const shown = figures.filter((figure) => operator.has(figure.roles));
  const counts = useQueries({
    queries: shown.map((figure) => {
      return {
        queryKey: ["act-on", figure.count],
        queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Page<unknown>>(figure.count, signal),
      };
    }),
  });
  if (shown.length === 0) return null;
  const failed = counts.find((c) => c.error);
  return (
    <Section title="For you to act on" p="md">
      {failed && <ErrorAlert error={failed.error} />}
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="xs">
        {shown.map((figure, i) => (
          <CountTile key={figure.key} to={figure.to} figure={figure.key} count={counts[i]?.data?.total}>
            <Text size="sm">{figure.label}</Text>
          </CountTile>
        ))}
      </SimpleGrid>
    </Section>
  );
}
