import { Skeleton, Text, UnstyledButton } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { withQuery } from "../../api/client";
import { useCardCountsPerState } from "../../api/queries";
import type { CardState } from "../../api/types";
import { cardStateLabels } from "../../domain";
import { ErrorAlert } from "../ErrorAlert";
import { formatNumber, plural } from "../format";
import { Section } from "../Section";

/** The way a card travels, in order: one bar each. */
const funnelStates = ["requested", "approved", "issued", "active"] as const satisfies readonly CardState[];
/** Where cards stop or step aside: counted beside the funnel. */
const sideStates = [
  "inactive",
  "locked",
  "expired",
  "failed",
  "rejected",
  "aborted",
] as const satisfies readonly CardState[];

/**
 * A figure of the funnel: a link to the Cards list of `state`, which names its count in words (the
 * text alternative) once it is known.
 */
function CardsOfStateLink(props: {
  state: CardState;
  count: number | undefined;
  className: string;
  children: ReactNode;
}) {
  const { state, count, className, children } = props;
  return (
    <UnstyledButton
      component={Link}
      to={withQuery("/cards", { state })}
      className={className}
      aria-label={
        count === undefined
          ? undefined
          : `${cardStateLabels[state]}: ${plural(count, "card")}. Show them in the Cards list.`
      }
      data-state={state}
      data-count={count}
    >
      {children}
    </UnstyledButton>
  );
}

/**
 * The dashboard's lifecycle funnel (issue 13): how many cards are requested, approved, issued and
 * active now, as bars, with those locked, expired or stopped beside them. Each figure is a link to
 * the Cards list of that state, and names its count in words: that is the text alternative.
 * The counts are the Cards list's totals, asked as "Cards per state" asks them (the same hook).
 */
export function LifecycleFunnel() {
  const states = [...funnelStates, ...sideStates];
  const { countOf, error } = useCardCountsPerState(states);
  const largest = Math.max(1, ...funnelStates.map((s) => countOf(s) ?? 0));
  return (
    <Section title="Card lifecycle" p="md">
      {error && <ErrorAlert error={error} />}
      <figure className="picture" aria-labelledby="lifecycle-funnel-caption">
        <figcaption id="lifecycle-funnel-caption" className="sr-only">
          Cards per step of their lifecycle, from requested to active, and those that left it
        </figcaption>
        <ol className="picture-funnel" aria-label="Cards per lifecycle step">
          {funnelStates.map((state, i) => {
            const count = countOf(state);
            const width = count === undefined ? 0 : Math.max((count / largest) * 100, count > 0 ? 2 : 0);
            return (
              <li key={state}>
                <CardsOfStateLink state={state} count={count} className="picture-funnel-row">
                  <Text span size="sm" fw={600} className="picture-funnel-label">
                    {i > 0 && <span aria-hidden>→ </span>}
                    {/* The space keeps the name and the figure two words for screen readers. */}
                    {cardStateLabels[state]}{" "}
                  </Text>
                  <svg
                    viewBox="0 0 100 10"
                    preserveAspectRatio="none"
                    width="100%"
                    height="18"
                    aria-hidden="true"
                    focusable="false"
                  >
                    <rect x="0" y="0" width="100" height="10" fill="var(--mantine-color-gray-1)" />
                    <rect x="0" y="0" width={width} height="10" fill="var(--mantine-color-tessera-7)" />
                  </svg>
                  {count === undefined ? (
                    <Skeleton h={18} w={40} />
                  ) : (
                    <Text span fw={650} className="picture-funnel-count">
                      {formatNumber(count)}
                    </Text>
                  )}
                </CardsOfStateLink>
              </li>
            );
          })}
        </ol>
        <ul className="picture-side" aria-label="Cards that left the way or stopped">
          {sideStates.map((state) => {
            const count = countOf(state);
            return (
              <li key={state}>
                <CardsOfStateLink state={state} count={count} className="picture-side-link">
                  <Text span size="sm">
                    {cardStateLabels[state]}
                  </Text>{" "}
                  <Text span size="sm" fw={650}>
                    {count === undefined ? "…" : formatNumber(count)}
                  </Text>
                </CardsOfStateLink>
              </li>
            );
          })}
        </ul>
      </figure>
    </Section>
  );
}
