import { Anchor, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError, api } from "../../api/client";
import type { CaInfo } from "../../api/types";
import { Details, mono } from "../../components/Details";
import { DownloadButton } from "../../components/DownloadButton";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PemBlock } from "../../components/PemBlock";
import { Section } from "../../components/Section";

/** Reads a public PKI file: these are not JSON, and need no login. */
async function fetchPki(path: string, signal: AbortSignal) {
  const response = await fetch(path, { signal });
  if (response.status === 404) throw new ApiError(404, "route.not_found", "Not offered by this server yet.");
  if (!response.ok)
    throw new ApiError(response.status, "http", `The server answered HTTP ${response.status}.`);
  return response;
}

/** The CA's public files: where they are, the name they are saved as, and the button's label. */
const published = {
  ca: {
    title: "CA certificate",
    href: "/pki/ca.pem",
    file: ["tessera-ca.pem", "ca.pem"],
    missing: "The CA certificate is not published by this Tessera server yet (GET /pki/ca.pem).",
  },
  crl: {
    title: "Certificate revocation list",
    href: "/pki/crl",
    file: ["tessera.crl", "tessera.crl"],
    missing: "The CRL is not published by this Tessera server yet (GET /pki/crl).",
  },
} satisfies Record<string, Omit<PkiFileProps<unknown>, "query" | "children">>;

export function CaTab() {
  const ca = useQuery({
    queryKey: ["pki", "ca.pem"],
    queryFn: async ({ signal }) => (await fetchPki("/pki/ca.pem", signal)).text(),
    retry: false,
  });
  const crl = useQuery({
    queryKey: ["pki", "crl"],
    queryFn: async ({ signal }) => {
      const response = await fetchPki("/pki/crl", signal);
      const size = (await response.arrayBuffer()).byteLength;
      return {
        size,
        lastModified: response.headers.get("last-modified"),
        type: response.headers.get("content-type"),
      };
    },
    retry: false,
  });
  const info = useQuery({
    queryKey: ["ca"],
    queryFn: ({ signal }) => api.get<CaInfo>("/api/v1/ca", signal),
  });
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <PkiFile {...published.ca} query={ca}>
        {(pem) => (
          <Stack gap="xs">
            {info.data && <CaDetails info={info.data} />}
            <Text size="sm" c="dimmed">
              Install this certificate where cards are checked: Windows smart-card logon, VPN and TLS servers
              trust the cards through it.
            </Text>
            <PemBlock pem={pem} label="The CA certificate in PEM" maxHeight={260} />
          </Stack>
        )}
      </PkiFile>
      <PkiFile {...published.crl} query={crl}>
        {(file) => (
          <Stack gap="sm">
            <Details
              cols={2}
              items={[
                [
                  "Published at",
                  <Anchor href="/pki/crl" key="url" size="sm" className="mono">
                    /pki/crl
                  </Anchor>,
                ],
                ["Size", `${file.size.toLocaleString("en")} bytes`],
                [
                  "Last signed",
                  file.lastModified ? formatDateTime(new Date(file.lastModified).toISOString()) : "—",
                ],
                ["OCSP", mono("/pki/ocsp")],
              ]}
            />
            <Text size="xs" c="dimmed">
              The CRL is re-signed whenever a certificate's state changes and before its next update; OCSP
              answers from the database at once.
            </Text>
          </Stack>
        )}
      </PkiFile>
    </SimpleGrid>
  );
}

/** Which key the CA signs with decides which relying parties can check the cards. */
function CaDetails({ info }: { info: CaInfo }) {
  return (
    <Details
      cols={2}
      items={[
        ["Name", info.subject],
        [
          "Key",
          `${info.keyAlgorithm}${info.keyType ? ` (${info.keyType})` : ""}, ${info.keyInToken ? "in a PKCS#11 token" : "stored encrypted"}`,
        ],
        ["Signs with", info.signatureAlgorithm],
        ["Valid until", formatDateTime(info.notAfter)],
        [
          "OCSP responder key",
          `${info.responder.keyAlgorithm}, until ${formatDateTime(info.responder.notAfter)}`,
        ],
        ["Root", info.subordinate ? "The office's own root CA (imported)" : "Self-signed"],
      ]}
    />
  );
}

interface PkiFileProps<T> {
  title: string;
  href: string;
  /** The name the file is saved as, and the download button's label. */
  file: [saveAs: string, label: string];
  query: { data: T | undefined; error: unknown; isPending: boolean };
  /** What to say when this server does not publish the file yet. */
  missing: string;
  children(data: T): ReactNode;
}

/** A file the CA publishes: its download, and what it says once read. */
function PkiFile<T>({ title, href, file: [saveAs, label], query, missing, children }: PkiFileProps<T>) {
  return (
    <Section
      title={title}
      action={
        query.data !== undefined && (
          <DownloadButton href={href} download={saveAs} size="xs">
            {label}
          </DownloadButton>
        )
      }
    >
      {query.isPending && <Loading />}
      {query.error !== null && query.error !== undefined && (
        <ErrorAlert error={query.error} missing={missing} />
      )}
      {query.data !== undefined && children(query.data)}
    </Section>
  );
}
