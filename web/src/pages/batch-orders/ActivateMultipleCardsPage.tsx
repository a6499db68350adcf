import { Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { runProcess } from "../../api/client";
import type { BatchOrderAnswer } from "../../api/types";
import { ErrorAlert } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { BatchOrderSteps } from "./BatchOrderSteps";
import { CardBatchSearch, type CardSelection } from "./CardBatchSearch";

export default function ActivateMultipleCardsPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<"select" | "confirm">("select");
  const [selection, setSelection] = useState<CardSelection | undefined>();
  const cancel = () => navigate("/batch-orders");
  const order = useMutation({
    mutationFn: (chosen: CardSelection) =>
      runProcess<BatchOrderAnswer>(
        "CardsBoProcActivateMultiple",
        chosen.kind === "ids" ? { cardIds: chosen.cards.map((c) => c.id) } : { filter: chosen.filter },
      ),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      notifications.show({
        color: "green",
        title: "Batch started",
        message: "The cards are being activated.",
      });
      navigate(`/batches/${answer.batchId}`, { state: { skipped: answer.skipped ?? [] } });
    },
  });

  return (
    <>
      <PageHeader
        title="Activate multiple cards"
        trail={[{ label: "BATCH ORDERS", to: "/batch-orders" }]}
        description="Activate issued cards whose holders have received them: the cards become active and their certificates valid."
      />
      <BatchOrderSteps active={step === "select" ? 0 : 1} middle="Confirm" />
      {step === "select" && (
        <CardBatchSearch
          state="issued"
          noun="card"
          selection={selection}
          onSelectionChange={setSelection}
          footer={
            <>
              <Button variant="default" onClick={cancel}>
                Cancel
              </Button>
              <Button disabled={!selection} onClick={() => setStep("confirm")}>
                Activate multiple cards
              </Button>
            </>
          }
        />
      )}
      {step === "confirm" && selection && (
        <Paper p="lg">
          <Stack gap="md">
            <Title order={2} fz="md">
              Activate{" "}
              {selection.kind === "filter"
                ? `all ${plural(selection.count, "matching card")}`
                : plural(selection.count, "card")}
              ?
            </Title>
            <Text size="sm">
              Activate only cards whose holders have them in hand. Each card becomes active and its
              certificates valid in the CRL and OCSP at once.
            </Text>
            {order.error && (
              <ErrorAlert
                error={order.error}
                title="The batch was not started"
                missing="Activate multiple cards is not offered by this Tessera server yet."
              />
            )}
            <Group
              justify="space-between"
              pt="md"
              style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}
            >
              <Button variant="subtle" color="gray" onClick={() => setStep("select")}>
                Back to the selection
              </Button>
              <Group gap="xs">
                <Button variant="default" onClick={cancel} disabled={order.isPending}>
                  Cancel
                </Button>
                <Button onClick={() => order.mutate(selection)} loading={order.isPending}>
                  Next
                </Button>
              </Group>
            </Group>
          </Stack>
        </Paper>
      )}
    </>
  );
}
