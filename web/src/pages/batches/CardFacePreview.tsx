import { Box, SimpleGrid, Skeleton, Text } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, withQuery } from "../../api/client";
import { useTemplates } from "../../api/queries";
import type { BatchDetail, Card, CardDetail, CardTemplate, User } from "../../api/types";
import { EmptyNote, ErrorAlert } from "../../components/ErrorAlert";
import { formatDate } from "../../components/format";

/**
 * The card faces of a batch drawn from the same data as the print file. The PDF itself cannot be
 * shown inside the page (Tessera's CSP forbids framing and plugins), so this is its likeness;
 * the print file is the download.
 */
function CardFace({
  card,
  template,
  user,
}: {
  card: Card;
  template: CardTemplate | undefined;
  user: User | undefined;
}) {
  const accent = template?.layout.accentColor ?? "#1f4e79";
  return (
    <Box
      className="card-face"
      role="img"
      aria-label={`Card face of ${card.holderName}, card ${card.cardNumber}`}
    >
      <Box px={12} py={6} style={{ background: accent }}>
        <Text c="white" fw={700} fz={11} style={{ letterSpacing: "0.08em" }}>
          {template?.layout.title ?? card.template.toUpperCase()}
        </Text>
      </Box>
      <Box p={10} style={{ display: "flex", gap: 10, flex: 1 }}>
        <Box
          w="27%"
          style={{
            aspectRatio: "3 / 4",
            background: "#e9edf2",
            borderRadius: 4,
            overflow: "hidden",
            display: "grid",
            placeItems: "center",
          }}
        >
          {user?.hasPhoto ? (
            <img
              src={`/api/v1/users/${user.id}/photo`}
              alt=""
              style={{ width: "100%", height: "100%", objectFit: "cover" }}
            />
          ) : (
            <Text fz={18} fw={700} c="#4a525c">
              {card.holderName
                .split(" ")
                .map((part) => part.charAt(0))
                .slice(0, 2)
                .join("")}
            </Text>
          )}
        </Box>
        <Box
          style={{
            flex: 1,
            minWidth: 0,
            display: "flex",
            flexDirection: "column",
            justifyContent: "space-between",
          }}
        >
          <Box>
            <Text fz={13} fw={700} lh={1.2} truncate="end">
              {card.holderName}
            </Text>
            <Text fz={10} c="#4a525c" truncate="end">
              {user?.organization ?? ""}
              {user?.organization && card.organizationalUnit ? " · " : ""}
              {card.organizationalUnit ?? ""}
            </Text>
          </Box>
          <Box>
            <Text fz={10} c="#4a525c">
              Card no.
            </Text>
            <Text fz={12} className="mono" fw={600}>
              {card.cardNumber}
            </Text>
            <Text fz={10} c="#4a525c">
              Valid to {formatDate(card.expiresAt)}
            </Text>
          </Box>
        </Box>
      </Box>
      <Box
        h={14}
        mx={10}
        mb={8}
        aria-hidden
        style={{
          background:
            "repeating-linear-gradient(90deg, #222 0 2px, transparent 2px 4px, #222 4px 5px, transparent 5px 8px)",
          opacity: 0.8,
        }}
      />
    </Box>
  );
}

/** The first cards the batch produced, read one by one (a batch releases its cards when it ends). */
export function CardFacePreview({ batchId }: { batchId: string }) {
  const produced = useQuery({
    queryKey: ["batch", batchId, "done", 6],
    queryFn: ({ signal }) =>
      api.get<BatchDetail>(
        withQuery(`/api/v1/batches/${encodeURIComponent(batchId)}`, { itemState: "done", limit: 6 }),
        signal,
      ),
  });
  const templates = useTemplates();
  const ids = (produced.data?.items ?? []).map((item) => item.cardId);
  const cards = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["card", id],
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<CardDetail>(`/api/v1/cards/${id}`, signal),
    })),
  });
  const users = useQueries({
    queries: cards.map((card) => ({
      queryKey: ["user", card.data?.userId],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<{ user: User; cards: Card[] }>(`/api/v1/users/${card.data!.userId}`, signal),
      enabled: Boolean(card.data),
      staleTime: 60_000,
    })),
  });
  if (produced.error) return <ErrorAlert error={produced.error} />;
  if (produced.data && ids.length === 0) return <EmptyNote>No card of this batch was produced.</EmptyNote>;
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {cards.map((card, i) =>
          card.data ? (
            <CardFace
              key={card.data.id}
              card={card.data}
              template={templates.data?.find((t) => t.name === card.data!.template)}
              user={users[i]?.data?.user}
            />
          ) : (
            <Skeleton key={ids[i]} className="card-face" />
          ),
        )}
      </SimpleGrid>
      {produced.data && produced.data.done > ids.length && (
        <Text size="sm" c="dimmed" mt="sm">
          The first {ids.length} of {produced.data.done}; the print file holds them all.
        </Text>
      )}
    </>
  );
}
