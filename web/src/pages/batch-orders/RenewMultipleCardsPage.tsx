import { Paper, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { runProcess } from "../../api/client";
import { useOptions } from "../../api/queries";
import { ErrorAlert } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { BatchOrderPage, forgetSelection, type SecondStep, StepFooter } from "./BatchOrderPage";

function ConfirmStep({ selection, back, cancel }: SecondStep) {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const queryClient = useQueryClient();
  const order = useMutation({
    mutationFn: () =>
      runProcess("CardsBoProcRenewMultiple", {
        cardIds: selection.kind === "ids" ? selection.cards.map((card) => card.id) : [],
      }),
    onSuccess: ({ cards }) => {
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      forgetSelection(pathname);
      const state = cards[0]?.state ?? "requested";
      notifications.show({
        color: "green",
        title: "Renewal requested",
        message: `${plural(cards.length, "successor card")} ${state === "approved" ? "approved, ready for Issue multiple cards" : "requested, waiting for approval"}.`,
      });
      navigate(`/cards?state=${state}&searched=1`);
    },
  });
  return (
    <Paper p="lg">
      <Stack gap="md">
        <Title order={2} fz="md">
          Renew {plural(selection.count, "card")}?
        </Title>
        <Text size="sm">
          Each card gets a successor: a new card request for the same holder and template, approved as this
          office approves requests, then produced with Issue multiple cards. When a successor becomes active,
          the card it renews is locked (superseded) and its certificates revoked.
        </Text>
        {order.error && <ErrorAlert error={order.error} title="No card was renewed" />}
        <StepFooter
          showError={false}
          onBack={back}
          onCancel={cancel}
          onNext={() => order.mutate()}
          order={order}
          missing="Renew multiple cards is not offered by this Tessera server yet."
        />
      </Stack>
    </Paper>
  );
}

/**
 * Opens the search with "Expires before" at the end of the deployment's renewal window, the
 * cards Renew multiple cards takes, unless the address already names a date.
 */
function useRenewalWindowAsDefault() {
  const [params, setParams] = useSearchParams();
  const days = useOptions().data?.renewalWindowDays;
  const named = params.has("expiresBefore");
  useEffect(() => {
    if (days === undefined || named) return;
    const end = new Date(Date.now() + (days + 1) * 86_400_000).toISOString().slice(0, 10);
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set("expiresBefore", end);
        return next;
      },
      { replace: true },
    );
  }, [days, named, setParams]);
}

export default function RenewMultipleCardsPage() {
  useRenewalWindowAsDefault();
  return (
    <BatchOrderPage
      title="Renew multiple cards"
      description="Renew active cards nearing their end: search (Expires before), tick, confirm. Each gets a successor request for the same holder and template."
      state="active"
      withExpiry
      selectAll={false}
      middle="Confirm"
      last={{ label: "Successor requests", description: "Approve, then Issue multiple cards" }}
      action="Renew multiple cards"
    >
      {(step) => <ConfirmStep {...step} />}
    </BatchOrderPage>
  );
}
