import { useCallback, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useCursorPages } from "./Pager";

/**
 * Search criteria kept in the URL (pass `keys` as a module constant, so it never changes), so that a search is a link: reload it, bookmark it, send it
 * to a colleague. Only the given keys are read; empty values are left out of the URL.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = useMemo(
    () => Object.fromEntries(keys.map((key) => [key, params.get(key) ?? ""])) as Record<K, string>,
    [params, keys],
  );
  const apply = useCallback(
    (next: Partial<Record<K, string>>, extra: Record<string, string> = {}) => {
      const out = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...next, ...extra }))
        if (typeof value === "string" && value.trim() !== "") out.set(key, value.trim());
      setParams(out, { replace: false });
    },
    [setParams],
  );
  return { values, apply, params };
}

/** The criteria without empty values, as a query for the API. */
export function compact<T extends Record<string, string>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")) as Partial<T>;
}

/**
 * A search page's state: the criteria in the URL, the form being edited, and the cursor pages.
 * When the criteria in the URL change (a search, the back button), the form follows them and
 * paging starts again from the first page.
 */
export function useSearchForm<K extends string>(keys: readonly K[]) {
  const filters = useUrlFilters(keys);
  const [form, setForm] = useState(filters.values);
  const pages = useCursorPages();
  const { reset } = pages;
  useEffect(() => {
    setForm(filters.values);
    reset();
  }, [filters.values, reset]);
  /** The API's query: the criteria in the URL and the page. */
  const query = { ...compact(filters.values), ...pages.page };
  return { ...filters, form, setForm, pages, query };
}
