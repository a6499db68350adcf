import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { api, withQuery } from "./client";
import type {
  Card,
  CardDetail,
  CardState,
  CardTemplate,
  CatalogEntry,
  Page,
  ProcessOptions,
  User,
} from "./types";

export type CardQuery = {
  /** "exact": count every match of a name search (a selection of all that match says how many). */
  total?: "exact";
  state?: string;
  template?: string;
  q?: string;
  userId?: string;
  batchId?: string;
  organizationalUnit?: string;
  requestedFrom?: string;
  requestedTo?: string;
  expiresBefore?: string;
  /** "true": only cards no running batch holds (what a batch order takes). */
  unclaimed?: "true";
  cursor?: string;
  limit?: number;
};

type QueryValues = Record<string, string | number | undefined>;
export interface PageOptions<T> {
  enabled?: boolean;
  /** How often to read the page again while something on it is still changing. */
  refetchInterval?: number | ((query: { state: { data?: Page<T> | undefined } }) => number | false);
}

/**
 * One page of a list resource (`{items, total, nextCursor}`), keyed by its criteria; the page
 * shown stays until the next one arrives, so paging does not flash.
 */
export function usePage<T>(key: string, path: string, query: QueryValues, options: PageOptions<T> = {}) {
  return useQuery({
    queryKey: [key, query],
    queryFn: ({ signal }) => api.get<Page<T>>(withQuery(path, query), signal),
    placeholderData: keepPreviousData,
    ...options,
  });
}

export function useCards(query: CardQuery, options: PageOptions<Card> = {}) {
  return usePage<Card>("cards", "/api/v1/cards", query, options);
}

/**
 * How many cards are in each of `states` now: the Cards list's total of each state, asked with
 * the Cards list's own query keys, so every figure of a state shares one answer. `error` is the
 * first that failed.
 */
export function useCardCountsPerState(states: readonly CardState[]) {
  const counts = useQueries({
    queries: states.map((state) => ({
      queryKey: ["cards", { state, limit: 1 }],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<Page<Card>>(withQuery("/api/v1/cards", { state, limit: 1 }), signal),
    })),
  });
  return {
    countOf: (state: CardState): number | undefined => counts[states.indexOf(state)]?.data?.total,
    error: counts.find((c) => c.error)?.error,
  };
}

export function useCard(id: string | undefined) {
  return useQuery({
    queryKey: ["card", id],
    queryFn: ({ signal }) => api.get<CardDetail>(`/api/v1/cards/${encodeURIComponent(id!)}`, signal),
    enabled: Boolean(id),
  });
}

export type UserQuery = {
  q?: string;
  state?: string;
  organizationalUnit?: string;
  expiresBefore?: string;
  /** "true": only cards no running batch holds (what a batch order takes). */
  unclaimed?: "true";
  cursor?: string;
  limit?: number;
};

export function useUsers(query: UserQuery, options: PageOptions<User> = {}) {
  return usePage<User>("users", "/api/v1/users", query, options);
}

export function useUser(id: string | undefined) {
  return useQuery({
    queryKey: ["user", id],
    queryFn: ({ signal }) =>
      api.get<{ user: User; cards: Card[] }>(`/api/v1/users/${encodeURIComponent(id!)}`, signal),
    enabled: Boolean(id),
  });
}

/** A short list that changes only with the deployment's configuration (`{items}`), read as its items. */
function useConfiguredList<T>(key: string, path: string) {
  return useQuery({
    queryKey: [key],
    queryFn: ({ signal }) => api.get<{ items: T[] }>(path, signal),
    staleTime: 5 * 60_000,
    select: (data) => data.items,
  });
}

export function useTemplates() {
  return useConfiguredList<CardTemplate>("templates", "/api/v1/templates");
}

export function useOptions() {
  return useQuery({
    queryKey: ["options"],
    queryFn: ({ signal }) => api.get<ProcessOptions>("/api/v1/options", signal),
  });
}

export function useCatalog() {
  return useConfiguredList<CatalogEntry>("processes", "/api/v1/processes");
}
