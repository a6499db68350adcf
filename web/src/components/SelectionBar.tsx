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
  /**
   * Whether the bar stays in view on a phone too. A bar that holds a form field (a template to
   * choose) is too tall to cover the list it sits above on a 390 px screen: there it scrolls away.
   */
  stickyOnPhone?: boolean;
}

/** The count of what is selected and what can be done with it; stays in view while the operator scrolls the results. */
export function SelectionBar({ summary, active, children, actions, stickyOnPhone = true }: Props) {
  return (
    <Group
      className={stickyOnPhone ? "selection-bar" : "selection-bar selection-bar-scrolls-on-phone"}
      justify="space-between"
      mt="md"
      mb="xs"
      gap="sm"
      // Its padding and stickiness are in app.css (.selection-bar), which changes them on a phone.
      style={{
        background: active ? "var(--mantine-color-tessera-0)" : "#f3f5f8",
        border: `1px solid ${active ? "var(--mantine-color-tessera-2)" : "var(--mantine-color-gray-2)"}`,
        borderRadius: 6,
      }}
    >
      <Group gap="md" className="selection-bar-summary">
        <Text size="sm" fw={600} aria-live="polite" data-testid="selection-count">
          {summary}
        </Text>
        {children}
      </Group>
      <Group gap="xs" align="flex-end" className="selection-bar-actions">
        {actions}
      </Group>
    </Group>
  );
}
