import { Code } from "@mantine/core";

/**
 * A certificate in PEM, wrapped to its panel. It scrolls when long: keyboard users reach it with
 * Tab and scroll it with the arrows.
 */
export function PemBlock({ pem, label, maxHeight }: { pem: string; label: string; maxHeight: number }) {
  return (
    <Code
      block
      className="pem"
      tabIndex={0}
      role="region"
      aria-label={label}
      style={{ maxHeight, overflowY: "auto", fontSize: 11 }}
    >
      {pem}
    </Code>
  );
}
