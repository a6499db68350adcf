/** Which page of a list a caller wants: the cursor the previous page ended with, and its size. */
export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}
