import { Anchor, Box, Breadcrumbs, Group, Text, Title } from "@mantine/core";
import { type ReactNode, useEffect } from "react";
import { Link } from "react-router";

export interface PageHeaderProps {
  title: string;
  /** Shown above the title: where this page sits. */
  trail?: { label: string; to: string }[];
  description?: ReactNode;
  actions?: ReactNode;
  /** Next to the title, e.g. a state badge. */
  badge?: ReactNode;
}

/** The heading of every page; also names the browser tab, so history and screen readers say where one is. */
export function PageHeader({ title, trail, description, actions, badge }: PageHeaderProps) {
  useEffect(() => {
    document.title = `${title} · Tessera`;
  }, [title]);
  return (
    <Box mb="md">
      {trail && trail.length > 0 && (
        <Breadcrumbs mb={4} separatorMargin={6} fz="sm">
          {trail.map((step) => (
            <Anchor key={step.to} component={Link} to={step.to} fz="sm">
              {step.label}
            </Anchor>
          ))}
        </Breadcrumbs>
      )}
      <Group justify="space-between" align="flex-end" gap="sm" wrap="wrap">
        <Box>
          <Group gap="sm" align="center">
            <Title order={1} fz={24} lh={1.25}>
              {title}
            </Title>
            {badge}
          </Group>
          {description && (
            <Text c="dimmed" size="sm" mt={4} maw={760}>
              {description}
            </Text>
          )}
        </Box>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
    </Box>
  );
}
