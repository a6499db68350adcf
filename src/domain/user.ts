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
  /** Windows security identifier (`S-1-5-21-…`): written into logon certificates for strong mapping. */
  sid: string | null;
  /**
   * Printed on the card and written into its certificates instead of "first last" when the legal
   * name does not fit a card (longer than a certificate's common name, or letters the card's font
   * cannot print). Null: the card shows the legal name.
   */
  nameOnCard: string | null;
  address: string[] | null;
  hasPhoto: boolean;
  state: "active" | "inactive";
  /** Bumped on every change: an edit made against an older version is refused as stale. */
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
