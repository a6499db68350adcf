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
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
