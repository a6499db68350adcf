import type { ReactNode } from "react";

/** One bar of a {@link BarChart}: stacked parts from the bottom, each with its own theme colour. */
export interface Bar {
  key: string;
  parts: { value: number; color: string }[];
  /** Under the bar, when there is room: a month's name. */
  label?: string;
}

/**
 * A small bar chart in SVG that fills its box's width at a fixed height (the bars stretch, so no
 * text is drawn inside the SVG: the labels under the bars are HTML). It is a picture only
 * (aria-hidden): the figure it sits in gives the figures as text, a title and a table.
 */
export function BarChart({ bars }: { bars: readonly Bar[] }) {
  const slots = Math.max(bars.length, 8);
  const width = slots * 10;
  const height = 100;
  const largest = Math.max(1, ...bars.map((bar) => bar.parts.reduce((sum, part) => sum + part.value, 0)));
  return (
    <div aria-hidden="true">
      <svg
        aria-hidden="true"
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        width="100%"
        height="140"
        focusable="false"
        style={{ display: "block" }}
      >
        {bars.map((bar, i) => {
          let top = height;
          return (
            <g key={bar.key}>
              {bar.parts.map((part) => {
                const h = (part.value / largest) * (height - 2);
                top -= h;
                return (
                  <rect key={part.color} x={i * 10 + 1.5} y={top} width={7} height={h} fill={part.color} />
                );
              })}
            </g>
          );
        })}
        <line
          x1="0"
          x2={width}
          y1={height}
          y2={height}
          stroke="var(--mantine-color-gray-5)"
          strokeWidth="1"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
      {bars.some((bar) => bar.label) && (
        <div
          className="picture-bar-labels"
          style={{ gridTemplateColumns: `repeat(${slots}, minmax(0, 1fr))` }}
        >
          {bars.map((bar) => (
            <span key={bar.key}>{bar.label}</span>
          ))}
        </div>
      )}
    </div>
  );
}

/** A table for screen readers (and tests) holding a picture's figures: its text alternative. */
export function FiguresTable({
  caption,
  headers,
  rows,
}: {
  caption: string;
  headers: readonly string[];
  rows: readonly (readonly ReactNode[])[];
}) {
  return (
    <table className="sr-only">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {headers.map((header) => (
            <th key={header} scope="col">
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          // A row's first cell names it (a month, a slice's start): unique in a picture.
          <tr key={String(row[0])}>
            {row.map((cell, j) => (
              <td key={headers[j]}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
