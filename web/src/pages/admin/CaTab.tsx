import { Anchor, Button, Code, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../../api/client";
import { Details } from "../../components/Details";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";

/** Reads a public PKI file: these are not JSON, and need no login. */
async function fetchPki(path: string, signal: AbortSignal) {
  const response = await fetch(path, { signal });
  if (response.status === 404) throw new ApiError(404, "route.not_found", "Not offered by this server yet.");
  if (!response.ok)
    throw new ApiError(response.status, "http", `The server answered HTTP ${response.status}.`);
  return response;
}

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
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Paper p="lg">
        <Group justify="space-between" mb="sm">
          <Title order={2} fz="md">
            CA certificate
          </Title>
          {ca.data && (
            <Button
              component="a"
              href="/pki/ca.pem"
              download="tessera-ca.pem"
              size="xs"
              variant="default"
              leftSection={<IconDownload size={14} aria-hidden />}
            >
              ca.pem
            </Button>
          )}
        </Group>
        {ca.isPending && <Loading />}
        {ca.error && (
          <ErrorAlert
            error={ca.error}
            missing="The CA certificate is not published by this Tessera server yet (GET /pki/ca.pem)."
          />
        )}
        {ca.data && (
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              Install this certificate where cards are checked: Windows smart-card logon, VPN and TLS servers
              trust the cards through it.
            </Text>
            <Code block style={{ maxHeight: 260, overflow: "auto", fontSize: 11 }}>
              {ca.data}
            </Code>
          </Stack>
        )}
      </Paper>
      <Paper p="lg">
        <Group justify="space-between" mb="sm">
          <Title order={2} fz="md">
            Certificate revocation list
          </Title>
          {crl.data && (
            <Button
              component="a"
              href="/pki/crl"
              download="tessera.crl"
              size="xs"
              variant="default"
              leftSection={<IconDownload size={14} aria-hidden />}
            >
              tessera.crl
            </Button>
          )}
        </Group>
        {crl.isPending && <Loading />}
        {crl.error && (
          <ErrorAlert
            error={crl.error}
            missing="The CRL is not published by this Tessera server yet (GET /pki/crl)."
          />
        )}
        {crl.data && (
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
                ["Size", `${crl.data.size.toLocaleString("en")} bytes`],
                [
                  "Last signed",
                  crl.data.lastModified ? formatDateTime(new Date(crl.data.lastModified).toISOString()) : "—",
                ],
                [
                  "OCSP",
                  <span className="mono" key="ocsp">
                    /pki/ocsp
                  </span>,
                ],
              ]}
            />
            <Text size="xs" c="dimmed">
              The CRL is re-signed whenever a certificate's state changes and before its next update; OCSP
              answers from the database at once.
            </Text>
          </Stack>
        )}
      </Paper>
    </SimpleGrid>
  );
}
