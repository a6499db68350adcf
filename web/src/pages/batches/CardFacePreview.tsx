import { SimpleGrid, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, withQuery } from "../../api/client";
import type { BatchDetail } from "../../api/types";
import { CardFaceImage } from "../../components/CardFaceImage";
import { EmptyNote, ErrorAlert } from "../../components/ErrorAlert";

/**
 * The faces of the first cards the batch produced, each drawn by the print file's own writer
 * (see {@link CardFaceImage}); the print file is the download.
 */
export function CardFacePreview({ batchId }: { batchId: string }) {
  const produced = useQuery({
    queryKey: ["batch", batchId, "done", 6],
    queryFn: ({ signal }) =>
      api.get<BatchDetail>(
        withQuery(`/api/v1/batches/${encodeURIComponent(batchId)}`, { itemState: "done", limit: 6 }),
        signal,
      ),
  });
  const items = produced.data?.items ?? [];
  const ids = items.map((item) => item.cardId);
  if (produced.error) return <ErrorAlert error={produced.error} />;
  if (produced.data && ids.length === 0) return <EmptyNote>No card of this batch was produced.</EmptyNote>;
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {items.map((item) => (
          <CardFaceImage key={item.cardId} cardId={item.cardId} cardNumber={item.cardNumber} />
        ))}
      </SimpleGrid>
      <Text size="sm" c="dimmed" mt="sm">
        {produced.data && produced.data.done > ids.length
          ? `The first ${ids.length} of ${produced.data.done}, drawn as the print file draws them from the holders' data today; the print file holds them all.`
          : "Drawn as the print file draws them, from the holders' data today."}
      </Text>
    </>
  );
}
