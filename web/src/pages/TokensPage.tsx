import { PageHeader } from "../components/PageHeader";
import { TokensTab } from "./admin/TokensTab";

/** Any operator's own API tokens (administrators also find every token under Administration). */
export default function TokensPage() {
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens for your scripts: each acts as you, with your roles, until you revoke it."
      />
      <TokensTab />
    </>
  );
}
