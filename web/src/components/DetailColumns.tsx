import { Grid, Stack } from "@mantine/core";
import type { ReactNode } from "react";

interface DetailColumnsProps {
  /** The object's facts and what can be done with it. */
  children: ReactNode;
  /** Beside them on wide screens, under them on narrow ones: its history, its PEM. */
  aside: ReactNode;
}

/** The body of an object's page (a card, a certificate): the same two columns on each. */
export function DetailColumns({ children, aside }: DetailColumnsProps) {
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="md">{children}</Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>{aside}</Grid.Col>
    </Grid>
  );
}
