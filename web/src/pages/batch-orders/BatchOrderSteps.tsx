import { Box, Group, Text } from "@mantine/core";
import { IconCheck } from "@tabler/icons-react";

/**
 * Where the operator is in a batch order: the seed's steps, in its words. A plain ordered list
 * (not buttons): the steps are passed with Next and Cancel, never jumped to.
 */
export function BatchOrderSteps({
  active,
  middle,
  last = { label: "Batch runs", description: "Progress and results" },
}: {
  active: number;
  middle: string;
  /** The step after Next: a batch's progress, unless the order makes no batch (renewal). */
  last?: { label: string; description: string };
}) {
  const steps = [
    { label: "Search and select", description: "Tick the cards" },
    { label: middle, description: "Check, then Next" },
    last,
  ];
  return (
    <Box
      component="ol"
      aria-label="Steps"
      mb="md"
      p={0}
      m={0}
      style={{ listStyle: "none", display: "flex", gap: 8, flexWrap: "wrap" }}
    >
      {steps.map((step, i) => {
        const done = i < active;
        const current = i === active;
        return (
          <Box
            component="li"
            key={step.label}
            aria-current={current ? "step" : undefined}
            style={{
              flex: "1 1 200px",
              padding: "8px 12px",
              borderRadius: 6,
              border: `1px solid ${current ? "var(--mantine-color-tessera-7)" : "var(--mantine-color-gray-3)"}`,
              background: current ? "var(--mantine-color-tessera-0)" : "#fff",
            }}
          >
            <Group gap={10} wrap="nowrap">
              <Box
                aria-hidden
                style={{
                  width: 26,
                  height: 26,
                  borderRadius: 13,
                  display: "grid",
                  placeItems: "center",
                  fontSize: 13,
                  fontWeight: 700,
                  color: done || current ? "#fff" : "#4a525c",
                  background: done
                    ? "var(--mantine-color-green-8)"
                    : current
                      ? "var(--mantine-color-tessera-8)"
                      : "var(--mantine-color-gray-2)",
                }}
              >
                {done ? <IconCheck size={15} /> : i + 1}
              </Box>
              <div>
                <Text size="sm" fw={600} lh={1.2}>
                  {step.label}
                  {done && <span className="sr-only"> (done)</span>}
                </Text>
                <Text size="xs" c="dimmed">
                  {step.description}
                </Text>
              </div>
            </Group>
          </Box>
        );
      })}
    </Box>
  );
}
