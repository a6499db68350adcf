import { Alert, Anchor, Button, Code, Group, Paper, Select, Table, Text, TextInput } from "@mantine/core";
import { IconSearch, IconShieldCheck, IconShieldX } from "@tabler/icons-react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { api, withQuery } from "../api/client";
import type { AuditEntry, AuditVerification, Page } from "../api/types";
import { EmptyNote, ErrorAlert, Loading } from "../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { Pager } from "../components/Pager";
import { StateBadge } from "../components/StateBadge";
import { compact, useSearchForm } from "../components/url-filters";
import { actionLabel, processCatalog } from "../domain";

const filterKeys = ["objectType", "objectId", "action", "outcome", "from", "to"] as const;
const pageSize = 50;

const objectTypes = [
  "card",
  "user",
  "operator",
  "token",
  "options",
  "import",
  "batch",
  "certificate",
  "pendingChange",
];
const actions = [
  ...processCatalog.map((p) => ({ value: p.symbolicName, label: `${p.name} (${p.symbolicName})` })),
  ...[
    "login",
    "logout",
    "login.failed",
    "operator.create",
    "operator.change",
    "token.create",
    "token.revoke",
    "options.change",
    "batch.downloadPrintFile",
    "batch.downloadPinLetters",
    "card.downloadToken",
    "options.change.propose",
    "options.change.approve",
    "options.change.reject",
    "operator.create.propose",
    "operator.create.approve",
    "operator.create.reject",
    "operator.change.propose",
    "operator.change.approve",
    "operator.change.reject",
  ].map((a) => ({
    value: a,
    label: actionLabel(a) === a ? a : `${actionLabel(a)} (${a})`,
  })),
];

function objectLink(entry: AuditEntry) {
  if (!entry.objectId) return entry.objectType ?? "—";
  const short = entry.objectId.slice(0, 8);
  const to =
    entry.objectType === "card"
      ? `/cards/${entry.objectId}`
      : entry.objectType === "user"
        ? `/users/${entry.objectId}`
        : entry.objectType === "batch"
          ? `/batches/${entry.objectId}`
          : undefined;
  return (
    <>
      {entry.objectType}{" "}
      {to ? (
        <Anchor component={Link} to={to} className="mono" size="sm">
          {short}
        </Anchor>
      ) : (
        <span className="mono">{short}</span>
      )}
    </>
  );
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" · ");
}

function VerifyChain() {
  const verify = useMutation({ mutationFn: () => api.post<AuditVerification>("/api/v1/audit/verify") });
  const result = verify.data;
  return (
    <>
      <Button
        variant="default"
        leftSection={<IconShieldCheck size={16} aria-hidden />}
        loading={verify.isPending}
        onClick={() => verify.mutate()}
      >
        Verify chain
      </Button>
      {(result || verify.error) && (
        <div style={{ flexBasis: "100%" }} aria-live="polite">
          {verify.error && <ErrorAlert error={verify.error} title="The chain could not be verified" />}
          {result?.valid && (
            <Alert
              color="green"
              variant="light"
              icon={<IconShieldCheck size={18} aria-hidden />}
              title="The chain is intact"
            >
              All {formatNumber(result.entries)} entries are linked and signed as written: nothing was changed
              or removed.{" "}
              {result.lastCheckpoint
                ? `The checkpoint of ${formatDateTime(result.lastCheckpoint.at)} confirmed ${formatNumber(result.lastCheckpoint.entries)} entries: none was removed from the end before it.`
                : "No checkpoint of the history's end has been signed yet."}
            </Alert>
          )}
          {result && !result.valid && (
            <Alert
              color="red"
              variant="light"
              role="alert"
              icon={<IconShieldX size={18} aria-hidden />}
              title="The chain is broken"
            >
              {result.firstBroken
                ? // Entries removed from the end are named by the checkpoint that confirmed them,
                  // not by an entry that no longer exists.
                  /^(all )?entries were removed/.test(result.firstBroken.reason)
                  ? `The history was cut short: ${result.firstBroken.reason}. Report this to the security officer.`
                  : `Entry #${result.firstBroken.seq} does not match the chain: ${result.firstBroken.reason}. Entries from there on cannot be trusted; report this to the security officer.`
                : "The chain does not verify."}{" "}
              ({formatNumber(result.entries)} entries checked.)
            </Alert>
          )}
        </div>
      )}
    </>
  );
}

export default function AuditPage() {
  const { values, apply, form, setForm, pages } = useSearchForm(filterKeys);
  const query = { ...compact(values), cursor: pages.cursor, limit: pageSize };
  const entries = useQuery({
    queryKey: ["audit", query],
    queryFn: ({ signal }) => api.get<Page<AuditEntry>>(withQuery("/api/v1/audit", query), signal),
    placeholderData: keepPreviousData,
  });
  function search(event: FormEvent) {
    event.preventDefault();
    apply(form);
  }
  const set = (key: (typeof filterKeys)[number]) => (value: string | null) =>
    setForm({ ...form, [key]: value ?? "" });
  return (
    <>
      <PageHeader
        title="Audit"
        description="The object history: every change, who made it, when and with what outcome, newest first. Each entry signs over the one before, so tampering shows."
        actions={<VerifyChain />}
      />
      <Paper p="md">
        <form onSubmit={search} aria-label="Filter the history">
          <Group align="flex-end" gap="sm" mb="md">
            <Select
              label="Object type"
              data={[{ value: "", label: "Any" }, ...objectTypes.map((t) => ({ value: t, label: t }))]}
              value={form.objectType}
              onChange={set("objectType")}
              w={140}
            />
            <TextInput
              label="Object id"
              value={form.objectId}
              onChange={(e) => set("objectId")(e.currentTarget.value)}
              w={200}
            />
            <Select
              label="Action"
              data={[{ value: "", label: "Any action" }, ...actions]}
              value={form.action}
              onChange={set("action")}
              searchable
              w={260}
            />
            <Select
              label="Outcome"
              data={[
                { value: "", label: "Any" },
                { value: "success", label: "Success" },
                { value: "refused", label: "Refused" },
                { value: "failed", label: "Failed" },
              ]}
              value={form.outcome}
              onChange={set("outcome")}
              w={120}
            />
            <TextInput
              label="From"
              type="date"
              value={form.from}
              onChange={(e) => set("from")(e.currentTarget.value)}
              w={150}
            />
            <TextInput
              label="To"
              type="date"
              value={form.to}
              onChange={(e) => set("to")(e.currentTarget.value)}
              w={150}
            />
            <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
              Search
            </Button>
          </Group>
        </form>
        {entries.error && <ErrorAlert error={entries.error} onRetry={() => entries.refetch()} />}
        {entries.isPending && <Loading label="Loading the history…" />}
        {entries.data && entries.data.items.length === 0 && <EmptyNote>No entry matches.</EmptyNote>}
        {entries.data && entries.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={1000}>
            <Table
              className="data-table"
              aria-label="Object history"
              style={{ opacity: entries.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th className="num">#</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Operator</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Object</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>Details</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.data.items.map((entry) => (
                  <Table.Tr key={entry.seq}>
                    <Table.Td className="num">{entry.seq}</Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(entry.at)}</Table.Td>
                    <Table.Td>
                      {entry.operatorName ?? (
                        <Text span c="dimmed" size="sm">
                          system
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{actionLabel(entry.action)}</Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{objectLink(entry)}</Table.Td>
                    <Table.Td>
                      <StateBadge kind="outcome" state={entry.outcome} />
                    </Table.Td>
                    <Table.Td className="wrap">
                      <Text size="xs" c="dimmed" lineClamp={2} maw={420} title={detailsText(entry.details)}>
                        {detailsText(entry.details) || "—"}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {entries.data && (
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={entries.data.items.length}
            total={entries.data.total}
            nextCursor={entries.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={["entry", "entries"]}
          />
        )}
        <Text size="xs" c="dimmed" mt="sm">
          Times are shown in your time zone. <Code>tessera audit verify</Code> checks the chain from the
          command line too.
        </Text>
      </Paper>
    </>
  );
}
