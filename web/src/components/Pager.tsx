import { Button, Group, Text } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import { useCallback, useState } from "react";
import { formatNumber } from "./format";

/**
 * Keyset paging as the API does it: the server gives the next cursor, we remember the ones
 * behind us. Fast at a million rows, where page numbers would not be.
 */
export function useCursorPages(pageSize = 50) {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  const next = useCallback((nextCursor: string) => setStack((s) => [...s, nextCursor]), []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([undefined]), []);
  /** The paging part of the API's query: `{cursor, limit}`. */
  const page = { cursor, limit: pageSize };
  return { page, pageSize, pageIndex: stack.length - 1, next, previous, reset };
}
export type CursorPages = ReturnType<typeof useCursorPages>;

interface PagerProps {
  pages: CursorPages;
  shown: number;
  total: number;
  /** The server stopped counting at `total` (a broad name search): more than that match. */
  totalIsLowerBound?: boolean | undefined;
  nextCursor: string | null | undefined;
  noun?: [string, string];
}

export function Pager({
  pages,
  shown,
  total,
  totalIsLowerBound,
  nextCursor,
  noun = ["row", "rows"],
}: PagerProps) {
  const { pageIndex, pageSize } = pages;
  const from = total === 0 ? 0 : pageIndex * pageSize + 1;
  const to = pageIndex * pageSize + shown;
  return (
    <Group justify="space-between" mt="sm" gap="xs">
      <Text size="sm" c="dimmed" aria-live="polite">
        {total === 0
          ? `No ${noun[1]}`
          : `${formatNumber(from)}–${formatNumber(to)} of ${totalIsLowerBound ? "more than " : ""}${formatNumber(total)} ${total === 1 && !totalIsLowerBound ? noun[0] : noun[1]}`}
      </Text>
      <Group gap={6}>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconChevronLeft size={14} aria-hidden />}
          disabled={pageIndex === 0}
          onClick={pages.previous}
        >
          Previous page
        </Button>
        <Button
          variant="default"
          size="xs"
          rightSection={<IconChevronRight size={14} aria-hidden />}
          disabled={!nextCursor}
          onClick={() => nextCursor && pages.next(nextCursor)}
        >
          Next page
        </Button>
      </Group>
    </Group>
  );
}
