/** Which page of a list a caller wants: the cursor the previous page ended with, and its size. */
export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
  /**
   * Count every match even where a search would stop counting (a search by the holder's name
   * stops at 1,000): for a selection of all that match, which must say how many it takes.
   */
  exactTotal?: boolean | undefined;
}

/** The order a list is read in: one of the list's sortable fields, and which way. */
export interface SortRequest<Field extends string> {
  by: Field;
  direction: "asc" | "desc";
}
