import { Anchor, Button, Group, Paper, Select, Table, Text, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { api, withQuery } from "../api/client";
import type { Certificate, Page } from "../api/types";
import { EmptyNote, ErrorAlert, Loading } from "../components/ErrorAlert";
import { formatDate } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { Pager } from "../components/Pager";
import { StateBadge } from "../components/StateBadge";
import { compact, useSearchForm } from "../components/url-filters";
import { certificateStateLabels, certificateStates } from "../domain";

const filterKeys = ["q", "state", "card"] as const;
const pageSize = 50;

export default function CertificatesPage() {
  const { values, apply, form, setForm, pages } = useSearchForm(filterKeys);
  const query = { ...compact(values), cursor: pages.cursor, limit: pageSize };
  const certificates = useQuery({
    queryKey: ["certificates", query],
    queryFn: ({ signal }) => api.get<Page<Certificate>>(withQuery("/api/v1/certificates", query), signal),
    placeholderData: keepPreviousData,
  });
  function search(event: FormEvent) {
    event.preventDefault();
    apply(form);
  }
  return (
    <>
      <PageHeader
        title="Certificates"
        description="Every certificate Tessera's CA has issued, with its state as the CRL and OCSP publish it."
      />
      <Paper p="md">
        <form onSubmit={search} aria-label="Search certificates">
          <Group align="flex-end" gap="sm" mb="md">
            <TextInput
              label="Serial or start of the subject"
              value={form.q}
              onChange={(e) => setForm({ ...form, q: e.currentTarget.value })}
              w={280}
            />
            <Select
              label="State"
              data={[
                { value: "", label: "Any state" },
                ...certificateStates.map((s) => ({ value: s, label: certificateStateLabels[s] })),
              ]}
              value={form.state}
              onChange={(v) => setForm({ ...form, state: v ?? "" })}
              w={150}
            />
            <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
              Search
            </Button>
          </Group>
        </form>
        {certificates.error && (
          <ErrorAlert
            error={certificates.error}
            missing="Certificates are not offered by this Tessera server yet."
          />
        )}
        {certificates.isPending && <Loading label="Searching certificates…" />}
        {certificates.data && certificates.data.items.length === 0 && (
          <EmptyNote>No certificate matches.</EmptyNote>
        )}
        {certificates.data && certificates.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={900}>
            <Table className="data-table" aria-label="Certificates">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Serial</Table.Th>
                  <Table.Th>Subject</Table.Th>
                  <Table.Th>Card</Table.Th>
                  <Table.Th>Profile</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Valid from</Table.Th>
                  <Table.Th>Valid to</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {certificates.data.items.map((c) => (
                  <Table.Tr key={c.serial}>
                    <Table.Td>
                      <Anchor component={Link} to={`/certificates/${c.serial}`} className="mono">
                        {c.serial.slice(0, 20)}
                        {c.serial.length > 20 ? "…" : ""}
                      </Anchor>
                    </Table.Td>
                    <Table.Td className="wrap">
                      <Text size="sm" lineClamp={1} title={c.subject}>
                        {c.subject}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {c.cardId ? (
                        <Anchor component={Link} to={`/cards/${c.cardId}`} className="mono" size="sm">
                          {c.cardId.slice(0, 8)}
                        </Anchor>
                      ) : (
                        "—"
                      )}
                    </Table.Td>
                    <Table.Td>{c.profile}</Table.Td>
                    <Table.Td>
                      <StateBadge kind="certificate" state={c.state} />
                    </Table.Td>
                    <Table.Td>{formatDate(c.notBefore)}</Table.Td>
                    <Table.Td>{formatDate(c.notAfter)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {certificates.data && (
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={certificates.data.items.length}
            total={certificates.data.total}
            nextCursor={certificates.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={["certificate", "certificates"]}
          />
        )}
      </Paper>
    </>
  );
}
