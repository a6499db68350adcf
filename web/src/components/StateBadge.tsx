import { Badge } from "@mantine/core";
import type { CSSProperties } from "react";
import { cardStateLabels, certificateStateLabels } from "../domain";

/** Background and text colours chosen for AA contrast, one hue per meaning. */
const tones = {
  amber: { bg: "#fff3d6", fg: "#6e4300", dot: "#e8a200" },
  blue: { bg: "#e4eefc", fg: "#0d4586", dot: "#2f74d0" },
  red: { bg: "#fde7e7", fg: "#951b1b", dot: "#d93b3b" },
  gray: { bg: "#eceff2", fg: "#474e57", dot: "#8a939d" },
  teal: { bg: "#ddf3f0", fg: "#0a5a53", dot: "#14a394" },
  green: { bg: "#e1f4e6", fg: "#185c2d", dot: "#2f9e55" },
  dark: { bg: "#2e3440", fg: "#ffffff", dot: "#ff8a8a" },
  purple: { bg: "#efebf7", fg: "#543f78", dot: "#8c6bc4" },
} as const;
export type Tone = keyof typeof tones;

const stateTones: Record<string, Record<string, Tone>> = {
  card: {
    requested: "amber",
    approved: "blue",
    rejected: "red",
    aborted: "gray",
    failed: "red",
    issued: "teal",
    active: "green",
    inactive: "gray",
    locked: "dark",
    expired: "purple",
  },
  certificate: { onHold: "amber", valid: "green", revoked: "red", expired: "purple" },
  batch: { running: "blue", completed: "green", cancelled: "gray" },
  user: { active: "green", inactive: "gray" },
  outcome: { success: "green", refused: "amber", failed: "red" },
  item: {
    pending: "gray",
    claimed: "gray",
    running: "blue",
    done: "green",
    issued: "green",
    failed: "red",
    skipped: "amber",
    cancelled: "gray",
  },
};

export type BadgeKind = keyof typeof stateTones;

function labelOf(kind: BadgeKind, state: string): string {
  if (kind === "card" && state in cardStateLabels)
    return cardStateLabels[state as keyof typeof cardStateLabels];
  if (kind === "certificate" && state in certificateStateLabels)
    return certificateStateLabels[state as keyof typeof certificateStateLabels];
  return state.charAt(0).toUpperCase() + state.slice(1);
}

export function StateBadge({
  kind,
  state,
  size = "sm",
  label,
  toneOverride,
}: {
  kind: BadgeKind;
  state: string;
  size?: "xs" | "sm" | "md" | "lg";
  /** Words that say more than the state alone (e.g. "Completed with failures"). */
  label?: string | undefined;
  toneOverride?: Tone | undefined;
}) {
  const tone = tones[toneOverride ?? stateTones[kind]?.[state] ?? "gray"];
  return (
    <Badge
      size={size}
      radius="sm"
      variant="light"
      tt="none"
      fw={600}
      style={
        {
          "--badge-bg": tone.bg,
          "--badge-color": tone.fg,
          "--badge-bd": `1px solid ${tone.bg}`,
          // Never truncated to "C…" in a narrow table column.
          minWidth: "max-content",
          overflow: "visible",
        } as CSSProperties
      }
      leftSection={
        <span
          aria-hidden
          style={{ display: "inline-block", width: 6, height: 6, borderRadius: 3, background: tone.dot }}
        />
      }
    >
      {label ?? labelOf(kind, state)}
    </Badge>
  );
}
