import { Box, Group, Text, Title } from "@mantine/core";

interface BrandProps {
  /** The logo's side in pixels: large on the login page, small in the header. */
  size: number;
  /** The name as the page's heading (the login page), or as plain text (the header). */
  heading?: boolean;
  /** Whether the tagline shows on narrow screens too. */
  taglineAlways?: boolean;
}

/** Tessera's logo, name and tagline, as the login page and the header show them. */
export function Brand({ size, heading, taglineAlways }: BrandProps) {
  const name = heading ? (
    <Title order={1} c="white" fz={26} lh={1.1}>
      Tessera
    </Title>
  ) : (
    <Text fw={700} fz="lg" c="white" style={{ letterSpacing: "0.02em" }}>
      Tessera
    </Text>
  );
  const tagline = (
    <Text fz="sm" c="tessera.1" visibleFrom={taglineAlways ? undefined : "md"}>
      Identity and card management
    </Text>
  );
  return (
    <Group gap={heading ? "sm" : 10} wrap="nowrap" justify={heading ? "center" : undefined}>
      <img
        src="/favicon.svg"
        alt=""
        width={size}
        height={size}
        style={{ borderRadius: size / 5, outline: "1px solid rgb(255 255 255 / 0.4)" }}
      />
      {heading ? (
        <Box>
          {name}
          {tagline}
        </Box>
      ) : (
        <>
          {name}
          {tagline}
        </>
      )}
    </Group>
  );
}
