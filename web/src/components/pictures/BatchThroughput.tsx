import { Group, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { BatchThroughput as Throughput } from "../../api/types";
import { ErrorAlert } from "../ErrorAlert";
import { formatDateTime, formatNumber, plural } from "../format";
import { BarChart, FiguresTable } from "./bars";

function sliceLength(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, "day");
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

const timeOf = (iso: string) => new Date(iso).toLocaleTimeString("en-GB");

/**
 * A batch's throughput (issue 13): the cards finished per time slice since it started, done and
 * failed stacked. Its own read, asked every few seconds while production runs (not with the
 * batch's every second: it counts every finished card) and once more when it has ended.
 */
export function BatchThroughput({ batchId, ended }: { batchId: string; ended: boolean }) {
  const throughput = useQuery({
    queryKey: ["batch", batchId, "throughput", { ended }],
    queryFn: ({ signal }) =>
      api.get<Throughput>(`/api/v1/batches/${encodeURIComponent(batchId)}/throughput`, signal),
    refetchInterval: ended ? false : 5000,
  });
  const data = throughput.data;
  if (throughput.error) return <ErrorAlert error={throughput.error} />;
  if (!data) return null;
  const done = data.slices.reduce((sum, s) => sum + s.done, 0);
  const failed = data.slices.reduce((sum, s) => sum + s.failed, 0);
  const busiest = Math.max(0, ...data.slices.map((s) => s.done + s.failed));
  const length = sliceLength(data.sliceSeconds);
  return (
    <figure className="picture" aria-labelledby="batch-throughput-title" data-testid="batch-throughput">
      <Group justify="space-between" align="baseline" gap="xs">
        <Title order={3} fz="sm" id="batch-throughput-title">
          Throughput: cards finished per {length.replace(/^1 /, "")}
        </Title>
        <Text size="xs" c="dimmed">
          At most {plural(busiest, "card")} in one slice
        </Text>
      </Group>
      <BarChart
        bars={data.slices.map((slice) => ({
          key: slice.start,
          parts: [
            { value: slice.done, color: "var(--mantine-color-green-7)" },
            { value: slice.failed, color: "var(--mantine-color-red-7)" },
          ],
        }))}
      />
      <Group justify="space-between" gap="xs">
        <Text size="xs" c="dimmed">
          {formatDateTime(data.from)}
        </Text>
        <Text size="xs" c="dimmed">
          {ended ? "ended" : "now"} {timeOf(data.to)}
        </Text>
      </Group>
      <figcaption>
        <Text size="sm">
          {plural(done, "card")} done{failed > 0 && `, ${formatNumber(failed)} failed`} from{" "}
          {formatDateTime(data.from)} to {timeOf(data.to)}, in slices of {length}.
        </Text>
      </figcaption>
      <FiguresTable
        caption="Cards finished per time slice"
        headers={["Slice from", "Done", "Failed"]}
        rows={[
          ...data.slices.map((s) => [
            data.sliceSeconds >= 3600 ? formatDateTime(s.start) : timeOf(s.start),
            s.done,
            s.failed,
          ]),
          ["In all", done, failed],
        ]}
      />
    </figure>
  );
}
