import { Badge, Box, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTemplates } from "../../api/queries";
import type { CardTemplate } from "../../api/types";
import { type Column, DataTable } from "../../components/DataTable";
import { Details } from "../../components/Details";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";

type Profile = CardTemplate["profiles"][number];

const profileColumns: Column<Profile>[] = [
  { header: "Certificate profile", cell: (profile) => profile.name },
  { header: "Kind", cell: (profile) => profile.kind },
  { header: "Key", className: "mono", cell: (profile) => profile.keyAlgorithm },
];

export function TemplatesTab() {
  const templates = useTemplates();
  if (templates.isPending) return <Loading />;
  if (templates.error) return <ErrorAlert error={templates.error} />;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Card templates come from the deployment's configuration file (
        <span className="mono">TESSERA_CONFIG</span>); they are shown here read-only.
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        {templates.data.map((template) => (
          <Paper key={template.name} p="lg">
            <Group gap="sm" mb="xs">
              <span
                aria-hidden
                style={{
                  width: 14,
                  height: 14,
                  borderRadius: 3,
                  background: template.layout.accentColor,
                  display: "inline-block",
                }}
              />
              <Title order={2} fz="md">
                {template.name}
              </Title>
              <Badge variant="outline" color="gray" size="sm" tt="none" c="dark.6">
                {template.encoder === "pkcs11" ? "PKCS#11 card" : "Software token"}
              </Badge>
            </Group>
            <Text size="sm" mb="md">
              {template.description}
            </Text>
            <Details
              cols={4}
              items={[
                ["PIN length", `${template.pinLength.min}–${template.pinLength.max}`],
                ["PUK length", `${template.pukLength.min}–${template.pukLength.max}`],
                ["Validity", `${template.validityDays} days`],
                ["Card numbers", `${template.cardNumber.prefix}… (${template.cardNumber.digits} digits)`],
              ]}
            />
            <Box mt="md">
              <DataTable
                label={`Certificate profiles of ${template.name}`}
                rows={template.profiles}
                rowKey={(profile) => profile.name}
                columns={profileColumns}
                minWidth={320}
              />
            </Box>
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
