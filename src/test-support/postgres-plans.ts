import { CompiledQuery, type KyselyPlugin, type QueryId, type RootOperationNode } from "kysely";
import type { Db } from "../store/database.js";

/** A node of a plan PostgreSQL printed with EXPLAIN (ANALYZE, FORMAT JSON). */
export interface PlanNode {
  readonly "Node Type": string;
  /** The table a scan reads. */
  readonly "Relation Name"?: string;
  readonly "Actual Rows": number;
  readonly "Actual Loops": number;
  readonly "Rows Removed by Join Filter"?: number;
  readonly Plans?: readonly PlanNode[];
}

/** Every node of `plan`, the plan first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/**
 * How PostgreSQL runs each statement of `work` on the handle it is given: `work` runs once in a
 * transaction rolled back, its statements recorded as compiled; then each is planned and run
 * again under EXPLAIN ANALYZE, in order, in a second transaction rolled back too, so each meets
 * the rows its forerunners left. Nothing of either stays. For statements whose parameters
 * `work` chose: a value the database generated the first time (a sequence's next number, the
 * time) is another the second. Statements on another handle are neither recorded nor undone.
 */
export async function postgresPlans(db: Db, work: (trx: Db) => Promise<void>): Promise<PlanNode[]> {
  const statements: CompiledQuery[] = [];
  // A subquery's node passes here too, as part of its statement; only a statement has a result,
  // and only a statement's node is compiled.
  const nodes = new Map<QueryId, RootOperationNode>();
  const recording: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      nodes.set(queryId, node);
      return node;
    },
    transformResult: async ({ result, queryId }) => {
      const node = nodes.get(queryId);
      // A CompiledQuery run as it is was never built here: there is nothing to run again.
      if (!node) throw new Error("postgresPlans records statements Kysely builds, not compiled ones");
      statements.push(db.getExecutor().compileQuery(node, queryId));
      return result;
    },
  };
  const rolledBack = new Error("rolled back");
  const undone = async (run: (trx: Db) => Promise<void>) => {
    await db
      .transaction()
      .execute(async (trx) => {
        await run(trx);
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
  };
  await undone((trx) => work(trx.withPlugin(recording)));
  const plans: PlanNode[] = [];
  await undone(async (trx) => {
    for (const statement of statements) {
      const { rows } = await trx.executeQuery<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
        CompiledQuery.raw(`explain (analyze, format json) ${statement.sql}`, [...statement.parameters]),
      );
      plans.push(rows[0]!["QUERY PLAN"][0]!.Plan);
    }
  });
  return plans;
}
