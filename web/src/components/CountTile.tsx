import { Skeleton, Text, UnstyledButton } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { formatNumber } from "./format";

/**
 * A figure of the dashboard: a framed link to the list it counts, its label above and its count
 * below, a placeholder until the count is known.
 */
export function CountTile(props: {
  to: string;
  count: number | undefined;
  figure?: string;
  children: ReactNode;
}) {
  const { to, count, figure, children } = props;
  return (
    <UnstyledButton
      component={Link}
      to={to}
      p="sm"
      data-figure={figure}
      data-count={count}
      style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: 6 }}
    >
      {children}
      {count === undefined ? (
        <Skeleton h={24} mt={8} w={48} />
      ) : (
        <Text fz={22} fw={650} mt={6} style={{ fontVariantNumeric: "tabular-nums" }}>
          {formatNumber(count)}
        </Text>
      )}
    </UnstyledButton>
  );
}
