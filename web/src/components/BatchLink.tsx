import { Anchor } from "@mantine/core";
import { Link } from "react-router";
import { shortId } from "./format";

/** A batch as people say it: "Batch 42" (an id fragment only for a batch whose number is not known). */
export function batchName(batch: { id: string; number?: number | null | undefined }): string {
  return batch.number != null ? `Batch ${batch.number}` : `Batch ${shortId(batch.id)}`;
}

/** A link to a batch's page, named by its number. */
export function BatchLink({
  id,
  number,
  size = "sm",
}: {
  id: string;
  number?: number | null | undefined;
  size?: "xs" | "sm";
}) {
  return (
    <Anchor component={Link} to={`/batches/${encodeURIComponent(id)}`} size={size}>
      {batchName({ id, number })}
    </Anchor>
  );
}
