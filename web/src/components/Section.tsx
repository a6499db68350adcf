import { Group, Paper, type PaperProps, Title } from "@mantine/core";
import type { ReactNode } from "react";

interface SectionProps extends Pick<PaperProps, "p"> {
  title: ReactNode;
  /** Beside the title: a link or a button for the whole section. */
  action?: ReactNode;
  children: ReactNode;
}

/** A titled part of a page, in its own box. */
export function Section({ title, action, p = "lg", children }: SectionProps) {
  return (
    <Paper p={p}>
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="md">
          {title}
        </Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}
