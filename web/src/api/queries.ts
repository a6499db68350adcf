import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, withQuery } from "./client";
import type { Card, CardDetail, CardTemplate, CatalogEntry, Page, ProcessOptions, User } from "./types";

export type CardQuery = {
  state?: string;
  template?: string;
  q?: string;
  userId?: string;
  batchId?: string;
  organizationalUnit?: string;
  requestedFrom?: string;
  requestedTo?: string;
  cursor?: string;
  limit?: number;
};

export function useCards(query: CardQuery, options: { enabled?: boolean; refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: ["cards", query],
    queryFn: ({ signal }) => api.get<Page<Card>>(withQuery("/api/v1/cards", query), signal),
    placeholderData: keepPreviousData,
    ...options,
  });
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
  cursor?: string;
  limit?: number;
};

export function useUsers(query: UserQuery, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ["users", query],
    queryFn: ({ signal }) => api.get<Page<User>>(withQuery("/api/v1/users", query), signal),
    placeholderData: keepPreviousData,
    ...options,
  });
}

export function useUser(id: string | undefined) {
  return useQuery({
    queryKey: ["user", id],
    queryFn: ({ signal }) =>
      api.get<{ user: User; cards: Card[] }>(`/api/v1/users/${encodeURIComponent(id!)}`, signal),
    enabled: Boolean(id),
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: ["templates"],
    queryFn: ({ signal }) => api.get<{ items: CardTemplate[] }>("/api/v1/templates", signal),
    staleTime: 5 * 60_000,
    select: (data) => data.items,
  });
}

export function useOptions() {
  return useQuery({
    queryKey: ["options"],
    queryFn: ({ signal }) => api.get<ProcessOptions>("/api/v1/options", signal),
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: ["processes"],
    queryFn: ({ signal }) => api.get<{ items: CatalogEntry[] }>("/api/v1/processes", signal),
    staleTime: 5 * 60_000,
    select: (data) => data.items,
  });
}
