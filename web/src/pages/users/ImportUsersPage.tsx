import { Alert, Button, Code, FileInput, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { IconCircleCheck, IconFileTypeCsv } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { runProcess } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber, plural } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";

const maxBytes = 20 * 1024 * 1024;

export default function ImportUsersPage() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const upload = useMutation({
    mutationFn: async (csv: string) => runProcess("UsersBoProcImport", { csv }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["users"] }),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return setFileError("Choose a CSV file first.");
    if (file.size > maxBytes)
      return setFileError("The file is larger than 20 MB; split it into several imports.");
    setFileError(undefined);
    upload.mutate(await file.text());
  }

  const report = upload.data;
  return (
    <>
      <PageHeader
        title="Import users"
        trail={[{ label: "Users", to: "/users" }]}
        description="Create many users from a CSV file. Rows with a problem are reported by line and not imported; the others are created."
      />
      <Stack gap="md" maw={960}>
        <Paper p="lg">
          <form onSubmit={submit}>
            <Stack gap="sm">
              <FileInput
                label="CSV file"
                placeholder="Choose a .csv file"
                accept=".csv,text/csv"
                value={file}
                onChange={(value) => {
                  setFile(value);
                  setFileError(undefined);
                  upload.reset();
                }}
                leftSection={<IconFileTypeCsv size={16} aria-hidden />}
                error={fileError}
                clearable
                w="100%"
                maw={420}
              />
              <Text size="sm" c="dimmed">
                The first row names the columns. Required: <Code>firstName</Code>, <Code>lastName</Code>,{" "}
                <Code>email</Code>, <Code>identifier</Code>. Optional: <Code>organizationalUnit</Code> (or{" "}
                <Code>department</Code>), <Code>organization</Code>, <Code>title</Code>, <Code>upn</Code>,{" "}
                <Code>sid</Code> (or <Code>objectSid</Code>). Separator: comma; UTF-8.
              </Text>
              <Group>
                <Button type="submit" loading={upload.isPending} disabled={!file}>
                  Import users
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
        {upload.error && <ErrorAlert error={upload.error} title="Nothing was imported" />}
        {report && (
          <Paper p="lg" aria-live="polite">
            <Title order={2} fz="md" mb="sm">
              Import report
            </Title>
            <Alert
              color={report.errors.length ? "yellow" : "green"}
              variant="light"
              icon={<IconCircleCheck size={18} aria-hidden />}
              mb="sm"
            >
              {plural(report.created, "user")} created
              {report.errors.length > 0
                ? `; ${plural(report.errors.length, "line")} not imported (below).`
                : "."}{" "}
              <Link to="/users">See the users</Link>
            </Alert>
            {report.errors.length > 0 && (
              <Table className="data-table" aria-label="Lines not imported">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th className="num" w={80}>
                      Line
                    </Table.Th>
                    <Table.Th>Why it was not imported</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.errors.map((error) => (
                    <Table.Tr key={error.line}>
                      <Table.Td className="num">{formatNumber(error.line)}</Table.Td>
                      <Table.Td className="wrap">{error.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        )}
      </Stack>
    </>
  );
}
