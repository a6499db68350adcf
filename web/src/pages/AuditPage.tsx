import { Anchor, Button, Code, Text } from "@mantine/core";
import { IconShieldCheck, IconShieldX } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api/client";
import type { AuditEntry, AuditVerification } from "../api/types";
import { entrySentence } from "../audit-words";
import { ErrorAlert, Notice } from "../components/ErrorAlert";
import { formatDateTime, formatNumber, shortId } from "../components/format";
import { SearchPage } from "../components/SearchPage";
import { choiceField, SearchFilters, type TableSpec, textField } from "../components/SearchTable";
import { StateBadge } from "../components/StateBadge";
import { actionLabel, historyActionLabels, processCatalog } from "../domain";

const filterKeys = ["objectType", "objectId", "action", "outcome", "from", "to"] as const;

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
  ...processCatalog.map((p) => ({ value: p.symbolicName, label: p.name })),
  ...Object.entries(historyActionLabels).map(([value, label]) => ({ value, label })),
];

function objectLink(entry: AuditEntry) {
  if (!entry.objectId) return entry.objectType ?? "—";
  // The name people use (a card's number, "Batch 12", a user's name); an id fragment for the rest.
  const name = entry.objectName ?? shortId(entry.objectId);
  const mono = entry.objectName ? undefined : "mono";
  const to =
    entry.objectType === "card"
      ? `/cards/${entry.objectId}`
      : entry.objectType === "user"
        ? `/users/${entry.objectId}`
        : entry.objectType === "batch"
          ? `/batches/${entry.objectId}`
          : entry.objectType === "certificate"
            ? `/certificates/${entry.objectId}`
            : undefined;
  // "Batch 12" and "authentication certificate of card 7001…" say what they are already.
  const saysWhat =
    Boolean(entry.objectName) && (entry.objectType === "batch" || entry.objectType === "certificate");
  return (
    <>
      {saysWhat ? "" : `${entry.objectType} `}
      {to ? (
        <Anchor
          component={Link}
          to={to}
          className={mono}
          size="sm"
          // The certificate's serial is on its page, one click away; named here for a pointer's hover.
          title={entry.objectType === "certificate" ? `Serial ${entry.objectId}` : undefined}
        >
          {name}
        </Anchor>
      ) : (
        <span className={mono}>{name}</span>
      )}
    </>
  );
}

/** The entry in words, with its raw details (codes and ids as recorded) one click away. */
function EntryDetails({ entry }: { entry: AuditEntry }) {
  const sentence = entrySentence(entry);
  const raw = Object.keys(entry.details).length > 0;
  return (
    <>
      <Text size="xs" lineClamp={2} maw={420} title={sentence}>
        {sentence || "—"}
      </Text>
      {raw && (
        <details className="raw-details">
          <summary>
            <Text span size="xs" c="dimmed">
              Raw
            </Text>
          </summary>
          <Code block fz={11} maw={420} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {JSON.stringify({ action: entry.action, ...entry.details }, null, 2)}
          </Code>
        </details>
      )}
    </>
  );
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
            <Notice color="green" icon={IconShieldCheck} title="The chain is intact">
              All {formatNumber(result.entries)} entries are linked and signed as written: nothing was changed
              or removed.{" "}
              {result.lastCheckpoint
                ? `The checkpoint of ${formatDateTime(result.lastCheckpoint.at)} confirmed ${formatNumber(result.lastCheckpoint.entries)} entries: none was removed from the end before it.`
                : "No checkpoint of the history's end has been signed yet."}
            </Notice>
          )}
          {result && !result.valid && (
            <Notice color="red" urgent icon={IconShieldX} title="The chain is broken">
              {result.firstBroken
                ? // Entries removed from the end are named by the checkpoint that confirmed them,
                  // not by an entry that no longer exists.
                  /^(all )?entries were removed/.test(result.firstBroken.reason)
                  ? `The history was cut short: ${result.firstBroken.reason}. Report this to the security officer.`
                  : `Entry #${result.firstBroken.seq} does not match the chain: ${result.firstBroken.reason}. Entries from there on cannot be trusted; report this to the security officer.`
                : "The chain does not verify."}{" "}
              ({formatNumber(result.entries)} entries checked.)
            </Notice>
          )}
        </div>
      )}
    </>
  );
}

const outcomes = ["success", "refused", "failed"].map((o) => ({
  value: o,
  label: o[0]!.toUpperCase() + o.slice(1),
}));
const fields = [
  choiceField(
    "objectType",
    "Object type",
    140,
    "Any",
    objectTypes.map((t) => ({ value: t, label: t })),
  ),
  textField("objectId", "Object id", 200),
  choiceField("action", "Action", 260, "Any action", actions, { searchable: true }),
  choiceField("outcome", "Outcome", 120, "Any", outcomes),
  textField("from", "From", 150, { type: "date" }),
  textField("to", "To", 150, { type: "date" }),
];

const table: TableSpec<AuditEntry> = {
  label: "Object history",
  minWidth: 1000,
  rowKey: (entry) => entry.seq,
  noun: ["entry", "entries"],
  empty: "No entry matches.",
  order: { by: "seq", direction: "desc" },
  columns: [
    { header: "#", className: "num", sortKey: "seq", cell: (entry) => entry.seq },
    { header: "When", className: "nowrap", cell: (entry) => formatDateTime(entry.at) },
    {
      header: "Operator",
      cell: (entry) =>
        entry.operatorName ?? (
          <Text span c="dimmed" size="sm">
            system
          </Text>
        ),
    },
    { header: "Action", cell: (entry) => actionLabel(entry.action) },
    { header: "Object", className: "nowrap", cell: objectLink },
    { header: "Outcome", cell: (entry) => <StateBadge kind="outcome" state={entry.outcome} /> },
    {
      header: "Details",
      className: "wrap",
      cell: (entry) => <EntryDetails entry={entry} />,
    },
  ],
};

export default function AuditPage() {
  return (
    <SearchPage
      title="Audit"
      description="The object history: every change, who made it, when and with what outcome, newest first. Each entry signs over the one before, so tampering shows."
      actions={<VerifyChain />}
      resource={["audit", "/api/v1/audit"]}
      filterKeys={filterKeys}
      filters={(search) => <SearchFilters label="Filter the history" fields={fields} search={search} />}
      spec={table}
    >
      <Text size="xs" c="dimmed" mt="sm">
        Times are shown in your time zone. <Code>tessera audit verify</Code> checks the chain from the command
        line too.
      </Text>
    </SearchPage>
  );
}
