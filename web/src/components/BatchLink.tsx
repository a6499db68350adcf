import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import { useOperator } from "../auth/session";
import { navigationItemOf } from "../navigation";
import { shortId } from "./format";

/** A batch as people say it: "Batch 42" (an id fragment only for a batch whose number is not known). */
export function batchName(batch: { id: string; number?: number | null | undefined }): string {
  return batch.number != null ? `Batch ${batch.number}` : `Batch ${shortId(batch.id)}`;
}

/**
 * A link to a batch's page, named by its number; only its name for an operator whose roles may
 * not open batches, who would follow the link to "Not for your roles".
 */
export function BatchLink({
  id,
  number,
  size = "sm",
}: {
  id: string;
  number?: number | null | undefined;
  size?: "xs" | "sm";
}) {
  const operator = useOperator();
  if (!operator.has(navigationItemOf("/batches")?.roles ?? "any"))
    return (
      <Text span size={size}>
        {batchName({ id, number })}
      </Text>
    );
  return (
    <Anchor component={Link} to={`/batches/${encodeURIComponent(id)}`} size={size}>
      {batchName({ id, number })}
    </Anchor>
  );
}
