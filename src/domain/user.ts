/** A person the office registers and makes cards for (not an operator of Tessera). */
export interface User {
  id: string;
  identifier: string;
  firstName: string;
  lastName: string;
  email: string;
  organizationalUnit: string | null;
  organization: string | null;
  title: string | null;
  upn: string | null;
  address: string[] | null;
  hasPhoto: boolean;
  state: "active" | "inactive";
  /** Bumped on every change: an edit made against an older version is refused as stale. */
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
