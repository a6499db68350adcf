import { Avatar, Box, Button, Grid, Group, Paper, Select, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCreditCard } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useParams } from "react-router";
import { fieldErrorsOf, runProcess } from "../../api/client";
import { useTemplates, useUser } from "../../api/queries";
import type { User } from "../../api/types";
import { useOperator } from "../../auth/session";
import { cardColumn } from "../../components/card-columns";
import { DataTable } from "../../components/DataTable";
import { Details, mono } from "../../components/Details";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { Section } from "../../components/Section";
import { StateBadge } from "../../components/StateBadge";
import { UserActions } from "./UserActions";

function RequestCard({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const [template, setTemplate] = useState<string | null>(null);
  const request = useMutation({
    mutationFn: (chosen: string) => runProcess("CardsProcRequest", { userId: user.id, template: chosen }),
    onSuccess: ({ card }) => {
      void queryClient.invalidateQueries({ queryKey: ["user", user.id] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      notifications.show({
        color: "green",
        title: "Card requested",
        message: `Card ${card.cardNumber} is ${card.state === "approved" ? "approved and ready for production" : "waiting for approval"}.`,
      });
      setTemplate(null);
    },
  });
  const errors = fieldErrorsOf(request.error);
  const options = (templates.data ?? []).map((t) => ({ value: t.name, label: t.name }));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (template) request.mutate(template);
  }

  return (
    <form onSubmit={submit} aria-label="Request card">
      <Group align="flex-end" gap="xs">
        <Select
          label="Card template"
          placeholder={templates.isPending ? "Loading…" : "Choose a template"}
          data={options}
          value={template}
          onChange={(value) => {
            setTemplate(value);
            request.reset();
          }}
          error={errors.template}
          w={240}
        />
        <Button
          type="submit"
          disabled={!template || user.state !== "active"}
          loading={request.isPending}
          leftSection={<IconCreditCard size={16} aria-hidden />}
        >
          Request card
        </Button>
      </Group>
      {request.error && !errors.template && (
        <Box mt="sm">
          <ErrorAlert error={request.error} title="No card was requested" />
        </Box>
      )}
      {user.state !== "active" && (
        <Text size="sm" c="dimmed" mt="xs">
          Cards can be requested only for active users.
        </Text>
      )}
    </form>
  );
}

export default function UserPage() {
  const { id } = useParams();
  const operator = useOperator();
  const result = useUser(id);
  if (result.isPending) return <Loading label="Loading the user…" />;
  if (result.error)
    return (
      <>
        <PageHeader title="User" trail={[{ label: "Users", to: "/users" }]} />
        <ErrorAlert error={result.error} />
      </>
    );
  const { user, cards } = result.data;
  const name = `${user.firstName} ${user.lastName}`;
  return (
    <>
      <PageHeader
        title={name}
        trail={[{ label: "Users", to: "/users" }]}
        badge={<StateBadge kind="user" state={user.state} size="md" />}
      />
      <Stack gap="md">
        <Paper p="lg">
          <Grid gap="lg">
            <Grid.Col span="content">
              {user.hasPhoto ? (
                <img
                  src={`/api/v1/users/${user.id}/photo`}
                  alt={`Portrait of ${name}`}
                  width={120}
                  height={150}
                  style={{
                    objectFit: "cover",
                    borderRadius: 8,
                    border: "1px solid var(--mantine-color-gray-3)",
                  }}
                />
              ) : (
                <Avatar size={120} radius={8} color="tessera" role="img" aria-label="No photo">
                  {user.firstName.charAt(0)}
                  {user.lastName.charAt(0)}
                </Avatar>
              )}
            </Grid.Col>
            <Grid.Col span="auto">
              <Details
                items={[
                  ["Identifier", mono(user.identifier)],
                  ["Name on card", user.nameOnCard],
                  ["E-mail", user.email],
                  ["User principal name", user.upn],
                  ["Security identifier (SID)", user.sid && mono(user.sid)],
                  ["Organization", user.organization],
                  ["Organizational unit", user.organizationalUnit],
                  ["Title", user.title],
                  ["Postal address", user.address?.join(", ")],
                  ["Registered", formatDateTime(user.createdAt)],
                  ["Changed", formatDateTime(user.updatedAt)],
                ]}
              />
              {operator.has(["registrationOfficer"]) && (
                <Box mt="md">
                  <UserActions user={user} cards={cards} />
                </Box>
              )}
            </Grid.Col>
          </Grid>
        </Paper>
        <Section title="Cards" action={operator.has(["registrationOfficer"]) && <RequestCard user={user} />}>
          {cards.length === 0 ? (
            <EmptyNote>{name} has no card yet.</EmptyNote>
          ) : (
            <DataTable
              label={`Cards of ${name}`}
              rows={cards}
              rowKey={(card) => card.id}
              columns={[
                cardColumn.number,
                cardColumn.template,
                cardColumn.state,
                cardColumn.requested,
                cardColumn.expires,
              ]}
              minWidth={520}
            />
          )}
        </Section>
      </Stack>
    </>
  );
}
