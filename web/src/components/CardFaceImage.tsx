import { Skeleton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "../api/client";
import { ErrorAlert } from "./ErrorAlert";

/**
 * The lines of text an SVG card face sets, in reading order (top to bottom, then left to right):
 * what a screen reader hears in place of the picture.
 */
function textLinesOf(svg: string): string[] {
  const document = new DOMParser().parseFromString(svg, "image/svg+xml");
  return [...document.querySelectorAll("text")]
    .map((text) => {
      const matrix = /matrix\(([^)]*)\)/.exec(text.getAttribute("transform") ?? "")?.[1]?.split(" ");
      return { text: text.textContent ?? "", x: Number(matrix?.[4] ?? 0), y: Number(matrix?.[5] ?? 0) };
    })
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map((line) => line.text);
}

/**
 * One card's face as the print file draws it: the server writes it with the print file's own
 * writer and reads it back as SVG (`GET /api/v1/cards/{id}/face.svg`), so nothing here lays the
 * card out again. A holder the printer would refuse shows the server's reason instead.
 */
export function CardFaceImage({ cardId, cardNumber }: { cardId: string; cardNumber: string }) {
  const face = useQuery({
    queryKey: ["card", cardId, "face"],
    queryFn: ({ signal }) => api.getText(`/api/v1/cards/${encodeURIComponent(cardId)}/face.svg`, signal),
    staleTime: 60_000,
    retry: false,
  });
  // A data URL, not a blob URL: nothing to revoke when the page re-renders or leaves.
  const view = useMemo(
    () =>
      face.data === undefined
        ? undefined
        : {
            url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(face.data)}`,
            lines: textLinesOf(face.data),
          },
    [face.data],
  );
  if (face.error) return <ErrorAlert error={face.error} />;
  if (!view) return <Skeleton className="card-face" />;
  return (
    <img
      className="card-face"
      src={view.url}
      // The printed text, then which card it is: a list of faces is told apart by the number last.
      alt={`Card face as printed: ${view.lines.join(" · ")}; card ${cardNumber}`}
      data-testid="card-face"
    />
  );
}
