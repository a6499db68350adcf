import { Paper, Stack, Text, Title } from "@mantine/core";
import { BatchOrderPage, type SecondStep, StepFooter, useStartBatchOrder } from "./BatchOrderPage";
import { describeSelection } from "./CardBatchSearch";

function ConfirmStep({ selection, back, cancel }: SecondStep) {
  const order = useStartBatchOrder("CardsBoProcActivateMultiple", () => "The cards are being activated.");
  return (
    <Paper p="lg">
      <Stack gap="md">
        <Title order={2} fz="md">
          Activate {describeSelection(selection)}?
        </Title>
        <Text size="sm">
          Activate only cards whose holders have them in hand. Each card becomes active and its certificates
          valid in the CRL and OCSP at once.
        </Text>
        <StepFooter
          onBack={back}
          onCancel={cancel}
          onNext={() => order.mutate({ selection })}
          order={order}
          missing="Activate multiple cards is not offered by this Tessera server yet."
        />
      </Stack>
    </Paper>
  );
}

export default function ActivateMultipleCardsPage() {
  return (
    <BatchOrderPage
      title="Activate multiple cards"
      description="Activate issued cards whose holders have received them: the cards become active and their certificates valid."
      state="issued"
      middle="Confirm"
      action="Activate multiple cards"
    >
      {(step) => <ConfirmStep {...step} />}
    </BatchOrderPage>
  );
}
