import { Button, Code, Group, Stack, Text } from "@mantine/core";
import { IconBug } from "@tabler/icons-react";
import { Component, type ErrorInfo, type ReactNode } from "react";
import { Notice } from "./ErrorAlert";

interface Props {
  children: ReactNode;
  /** When this changes (the page's path), a failed page gets another chance. */
  resetKey?: string;
}

interface State {
  error: Error | undefined;
}

/** Keeps a broken page from blanking the screen: says what happened and offers a way on. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("a page failed to render", error, info.componentStack);
  }

  override componentDidUpdate(previous: Props): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    // A new version of Tessera was deployed while this tab was open: its page files moved.
    const isStale = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(
      error.message,
    );
    return (
      <Notice color="red" urgent icon={IconBug} title="This page could not be shown" m="md">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">
            {isStale
              ? "Tessera was updated since this tab was opened. Reload the page to continue."
              : "Something went wrong while showing this page. Reloading usually helps; if it does not, tell your administrator what you were doing."}
          </Text>
          {!isStale && <Code>{error.message}</Code>}
          <Group gap="xs">
            <Button size="xs" onClick={() => window.location.reload()}>
              Reload the page
            </Button>
            <Button size="xs" variant="default" onClick={() => window.location.assign("/")}>
              Go to the dashboard
            </Button>
          </Group>
        </Stack>
      </Notice>
    );
  }
}
