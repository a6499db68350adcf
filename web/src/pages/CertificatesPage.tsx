import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Certificate } from "../api/types";
import { formatDate, shortId } from "../components/format";
import { SearchPage } from "../components/SearchPage";
import { choiceField, SearchFilters, type TableSpec, textField } from "../components/SearchTable";
import { StateBadge } from "../components/StateBadge";
import { certificateStateLabels, certificateStates } from "../domain";

const filterKeys = ["q", "state", "card"] as const;

const fields = [
  textField("q", "Serial or start of the subject", 280),
  choiceField(
    "state",
    "State",
    150,
    "Any state",
    certificateStates.map((s) => ({ value: s, label: certificateStateLabels[s] })),
  ),
];

const table: TableSpec<Certificate> = {
  minWidth: 900,
  rowKey: (c) => c.serial,
  noun: ["certificate", "certificates"],
  empty: "No certificate matches.",
  missing: "Certificates are not offered by this Tessera server yet.",
  // Issued newest first: a certificate's start is the moment it was issued.
  order: { by: "createdAt", direction: "desc" },
  columns: [
    {
      header: "Serial",
      cell: (c) => (
        <Anchor component={Link} to={`/certificates/${c.serial}`} className="mono">
          {c.serial.slice(0, 20)}
          {c.serial.length > 20 ? "…" : ""}
        </Anchor>
      ),
    },
    {
      header: "Subject",
      className: "wrap",
      cell: (c) => (
        <Text size="sm" lineClamp={1} title={c.subject}>
          {c.subject}
        </Text>
      ),
    },
    {
      header: "Card",
      cell: (c) =>
        c.cardId ? (
          <Anchor component={Link} to={`/cards/${c.cardId}`} className="mono" size="sm">
            {c.cardNumber ?? shortId(c.cardId)}
          </Anchor>
        ) : (
          "—"
        ),
    },
    { header: "Profile", cell: (c) => c.profile },
    { header: "State", cell: (c) => <StateBadge kind="certificate" state={c.state} /> },
    { header: "Valid from", sortKey: "createdAt", cell: (c) => formatDate(c.notBefore) },
    { header: "Valid to", sortKey: "notAfter", cell: (c) => formatDate(c.notAfter) },
  ],
};

export default function CertificatesPage() {
  return (
    <SearchPage
      title="Certificates"
      description="Every certificate Tessera's CA has issued, with its state as the CRL and OCSP publish it."
      resource={["certificates", "/api/v1/certificates"]}
      filterKeys={filterKeys}
      filters={(search) => <SearchFilters label="Search certificates" fields={fields} search={search} />}
      spec={table}
    />
  );
}
