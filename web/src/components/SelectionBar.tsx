import { Group, Text } from "@mantine/core";
import type { ReactNode } from "react";

interface Props {
  /** "3 cards selected": read out when it changes. */
  summary: string;
  /** Whether anything is selected: the bar then takes the brand's tint. */
  active: boolean;
  /** Next to the summary, e.g. "Select all N matching", "Clear selection". */
  children?: ReactNode;
  /** The action buttons, on the right. */
  actions: ReactNode;
}

/** The count of what is selected and what can be done with it; stays in view while the operator scrolls the results. */
export function SelectionBar({ summary, active, children, actions }: Props) {
  return (
    <Group
      justify="space-between"
      mt="md"
      mb="xs"
      px="sm"
      py={8}
      gap="sm"
      style={{
        position: "sticky",
        top: "var(--app-shell-header-height, 56px)",
        zIndex: 3,
        background: active ? "var(--mantine-color-tessera-0)" : "#f3f5f8",
        border: `1px solid ${active ? "var(--mantine-color-tessera-2)" : "var(--mantine-color-gray-2)"}`,
        borderRadius: 6,
      }}
    >
      <Group gap="md">
        <Text size="sm" fw={600} aria-live="polite" data-testid="selection-count">
          {summary}
        </Text>
        {children}
      </Group>
      <Group gap="xs" align="flex-end">
        {actions}
      </Group>
    </Group>
  );
}
