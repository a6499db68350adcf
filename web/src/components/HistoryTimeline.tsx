import { Group, Text, Timeline } from "@mantine/core";
import { IconCheck, IconPoint, IconX } from "@tabler/icons-react";
import type { AuditEntry } from "../api/types";
import { entrySentence } from "../audit-words";
import { actionLabel } from "../domain";
import { BatchLink } from "./BatchLink";
import { formatDateTime } from "./format";
import { StateBadge } from "./StateBadge";

/** What the entry says beyond its action and states (shown as badges), in words; the card is the page's own. */
function detailText(entry: AuditEntry): string | undefined {
  const { cardNumber: _, ...details } = entry.details;
  return entrySentence({ ...entry, details }, { withTransition: false }) || undefined;
}

/**
 * A card's life from its object history, oldest first: what happened, who did it, and when; a
 * batch an entry names is a link, by its number where `batchNumbers` knows it.
 */
export function HistoryTimeline({
  entries,
  batchNumbers = {},
}: {
  entries: AuditEntry[];
  batchNumbers?: Readonly<Record<string, number>>;
}) {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  return (
    <Timeline active={ordered.length - 1} bulletSize={22} lineWidth={2} color="tessera">
      {ordered.map((entry) => {
        const from = typeof entry.details.from === "string" ? entry.details.from : undefined;
        const to = typeof entry.details.to === "string" ? entry.details.to : undefined;
        const refused = entry.outcome !== "success";
        const text = detailText(entry);
        const batchId = typeof entry.details.batchId === "string" ? entry.details.batchId : undefined;
        return (
          <Timeline.Item
            key={entry.seq}
            color={refused ? "red" : "tessera"}
            bullet={
              refused ? (
                <IconX size={12} aria-hidden />
              ) : to ? (
                <IconCheck size={12} aria-hidden />
              ) : (
                <IconPoint size={12} aria-hidden />
              )
            }
            title={
              <Group gap={8}>
                <Text size="sm" fw={600}>
                  {actionLabel(entry.action)}
                </Text>
                {refused && <StateBadge kind="outcome" state={entry.outcome} size="xs" />}
                {to && from !== to && (
                  <Group gap={4}>
                    {from && <StateBadge kind="card" state={from} size="xs" />}
                    {from && (
                      <Text span size="xs" c="dimmed" aria-label="to">
                        →
                      </Text>
                    )}
                    <StateBadge kind="card" state={to} size="xs" />
                  </Group>
                )}
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {formatDateTime(entry.at)} · {entry.operatorName ?? "system"}
            </Text>
            {(text || batchId) && (
              <Text size="sm" mt={2}>
                {text}
                {text && batchId && " · "}
                {batchId && <BatchLink id={batchId} number={batchNumbers[batchId]} />}
              </Text>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
