import { List, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { type CardState, canTransition, cardStates } from "../../../../src/domain/card-states.js";
import { cardStateLabels, findProcess } from "../../domain";
import { Section } from "../Section";

/**
 * Where each state sits in the picture (column, row): the way a card travels runs along the
 * middle row, the ways out above and below it. Only the places are drawn here; the arrows are the
 * domain's transition table itself (canTransition), so the picture cannot drift from the rules.
 */
const places: Record<CardState, [column: number, row: number]> = {
  requested: [0, 1],
  rejected: [1, 0],
  approved: [1, 1],
  aborted: [1, 2],
  issued: [2, 1],
  failed: [2, 2],
  active: [3, 1],
  expired: [3, 0],
  inactive: [4, 1],
  locked: [4, 2],
};

const box = { width: 96, height: 30 };
const margin = 8;

/**
 * The picture's geometry: wide (the way along a row) or, on a phone, tall (the same places
 * turned a quarter, the way down a column), so the names stay readable at 390 px.
 */
function layoutOf(tall: boolean) {
  const step = tall ? { x: 118, y: 54 } : { x: 124, y: 56 };
  const place = (state: CardState) => {
    const [column, row] = places[state];
    return tall ? [row, column] : [column, row];
  };
  const corner = (state: CardState) => {
    const [column, row] = place(state);
    return { x: margin + column! * step.x, y: margin + row! * step.y };
  };
  const centre = (state: CardState) => {
    const { x, y } = corner(state);
    return { x: x + box.width / 2, y: y + box.height / 2 };
  };
  /** One arrow: straight, or bowed beside the way when it would cross a box on it. */
  const arrowPath = (from: CardState, to: CardState): string => {
    const a = centre(from);
    const b = centre(to);
    const [fromColumn, fromRow] = places[from];
    const [toColumn, toRow] = places[to];
    if (fromRow === toRow && Math.abs(toColumn - fromColumn) > 1) {
      if (tall) {
        const left = a.x - box.width / 2;
        return `M${left},${a.y} Q${left - 40},${(a.y + b.y) / 2} ${left},${b.y}`;
      }
      const top = a.y - box.height / 2;
      return `M${a.x},${top} Q${(a.x + b.x) / 2},${top - 48} ${b.x},${top}`;
    }
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    // Two arrows between the same pair (active ⇄ inactive) go side by side, not on one line.
    const shift = canTransition(to, from) ? (from < to ? -5 : 5) : 0;
    const [sx, sy] = Math.abs(dx) > Math.abs(dy) ? [0, shift] : [shift, 0];
    const start = edgeOf(a.x, a.y, dx, dy);
    const end = edgeOf(b.x, b.y, -dx, -dy);
    return `M${start.x + sx},${start.y + sy} L${end.x + sx},${end.y + sy}`;
  };
  const [columns, rows] = tall ? [3, 5] : [5, 3];
  return {
    corner,
    centre,
    arrowPath,
    width: margin * 2 + (columns - 1) * step.x + box.width,
    height: margin * 2 + (rows - 1) * step.y + box.height,
  };
}

/** The point where the line from a box's centre towards (dx, dy) leaves the box. */
function edgeOf(x: number, y: number, dx: number, dy: number) {
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : box.width / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : box.height / 2 / Math.abs(dy),
  );
  return { x: x + dx * scale, y: y + dy * scale };
}

/** An arrow's head in `color`, which a path takes as `markerEnd={`url(#${id})`}`. */
function ArrowHead({ id, color }: { id: string; color: string }) {
  return (
    <marker
      id={id}
      viewBox="0 0 8 8"
      refX="7"
      refY="4"
      markerWidth="6"
      markerHeight="6"
      orient="auto-start-reverse"
    >
      <path d="M0,0 L8,4 L0,8 z" fill={color} />
    </marker>
  );
}

/**
 * A card's lifecycle as a small diagram (issue 13): every state of the card state model, the
 * allowed steps between them as arrows, the card's state marked, and the processes its state
 * allows now named below. The svg's title and description say the same in words.
 */
export function CardLifecycle({
  state,
  allowedProcesses,
}: {
  state: CardState;
  allowedProcesses: readonly string[];
}) {
  // A phone gets the tall picture (the page's narrow layout starts at Mantine's sm breakpoint).
  const tall = useMediaQuery("(max-width: 48em)") ?? false;
  const { corner, arrowPath, width, height } = layoutOf(tall);
  const arrows = cardStates.flatMap((from) =>
    cardStates.filter((to) => canTransition(from, to)).map((to) => ({ from, to })),
  );
  const nextStates = cardStates.filter((to) => canTransition(state, to));
  const steps = allowedProcesses.map((name) => findProcess(name)).filter((p) => p !== undefined);
  const stepsText =
    steps.length > 0
      ? `Next allowed steps: ${steps.map((p) => p.name).join(", ")}.`
      : "No step is allowed from this state.";
  const description =
    `The card is ${cardStateLabels[state].toLowerCase()}. ` +
    (nextStates.length > 0
      ? `From here it can become ${nextStates.map((s) => cardStateLabels[s].toLowerCase()).join(", ")}. `
      : "This state is final. ") +
    stepsText;
  return (
    <figure className="picture" data-testid="card-lifecycle" data-state={state}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby="card-lifecycle-title card-lifecycle-desc"
        style={{ maxWidth: width, display: "block" }}
      >
        <title id="card-lifecycle-title">The card's lifecycle</title>
        <desc id="card-lifecycle-desc">{description}</desc>
        <defs>
          <ArrowHead id="card-lifecycle-arrow" color="var(--mantine-color-gray-6)" />
          <ArrowHead id="card-lifecycle-next" color="var(--mantine-color-tessera-8)" />
        </defs>
        {arrows.map(({ from, to }) => {
          const isNext = from === state;
          return (
            <path
              key={`${from}-${to}`}
              d={arrowPath(from, to)}
              fill="none"
              stroke={isNext ? "var(--mantine-color-tessera-8)" : "var(--mantine-color-gray-5)"}
              strokeWidth={isNext ? 2.5 : 1.2}
              markerEnd={`url(#${isNext ? "card-lifecycle-next" : "card-lifecycle-arrow"})`}
            />
          );
        })}
        {cardStates.map((s) => {
          const { x, y } = corner(s);
          const isCurrent = s === state;
          const isNext = nextStates.includes(s);
          return (
            <g key={s} data-state={s} data-current={isCurrent || undefined}>
              <rect
                x={x}
                y={y}
                width={box.width}
                height={box.height}
                rx="6"
                fill={isCurrent ? "var(--mantine-color-tessera-8)" : "var(--mantine-color-white)"}
                stroke={
                  isCurrent || isNext ? "var(--mantine-color-tessera-8)" : "var(--mantine-color-gray-5)"
                }
                strokeWidth={isCurrent || isNext ? 2 : 1}
                strokeDasharray={isNext ? "4 2" : undefined}
              />
              <text
                x={x + box.width / 2}
                y={y + box.height / 2}
                textAnchor="middle"
                dominantBaseline="central"
                fontSize="13"
                fontWeight={isCurrent ? 700 : 500}
                fill={isCurrent ? "var(--mantine-color-white)" : "var(--mantine-color-dark-7)"}
              >
                {cardStateLabels[s]}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Text size="sm" mt="xs">
          Now <strong>{cardStateLabels[state].toLowerCase()}</strong>
          {nextStates.length === 0 ? ": a final state." : "."}
        </Text>
        {steps.length > 0 ? (
          <>
            <Text size="sm">Next allowed steps:</Text>
            <List size="sm" data-testid="card-next-steps">
              {steps.map((p) => (
                <List.Item key={p.symbolicName}>
                  {p.name}: {p.outcome.charAt(0).toLowerCase() + p.outcome.slice(1)}
                </List.Item>
              ))}
            </List>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            No step is allowed from this state.
          </Text>
        )}
      </figcaption>
    </figure>
  );
}

/** The card page's "Lifecycle" section: the diagram of {@link CardLifecycle}. */
export function CardLifecycleSection({
  card,
}: {
  card: { state: CardState; allowedProcesses: readonly string[] };
}) {
  return (
    <Section title="Lifecycle">
      <CardLifecycle state={card.state} allowedProcesses={card.allowedProcesses} />
    </Section>
  );
}
