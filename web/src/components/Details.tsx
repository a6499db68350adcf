import { Box, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";

/** A value read character by character (an id, a serial, a path), in a fixed-width font. */
export function mono(text: string): ReactNode {
  return <span className="mono">{text}</span>;
}

/** Label and value pairs as a description list: how a record reads on its own page. */
export function Details({ items, cols = 3 }: { items: [string, ReactNode][]; cols?: number }) {
  return (
    <SimpleGrid
      component="dl"
      cols={{ base: 1, sm: Math.min(2, cols), md: cols }}
      spacing="md"
      verticalSpacing="sm"
      m={0}
    >
      {items.map(([label, value]) => (
        <Box key={label}>
          <Text
            component="dt"
            size="xs"
            c="dimmed"
            fw={600}
            tt="uppercase"
            style={{ letterSpacing: "0.03em" }}
          >
            {label}
          </Text>
          <Text component="dd" size="sm" m={0} mt={2} style={{ overflowWrap: "anywhere" }}>
            {value === null || value === undefined || value === "" ? "—" : value}
          </Text>
        </Box>
      ))}
    </SimpleGrid>
  );
}
