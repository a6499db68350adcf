import type { NewUser } from "../store/users.js";

/** A user to insert with only the fields a test names; every optional field is empty. */
export function newUser(
  fields: Pick<NewUser, "id" | "identifier" | "firstName" | "lastName" | "email"> & Partial<NewUser>,
): NewUser {
  return {
    organizationalUnit: null,
    organization: null,
    title: null,
    upn: null,
    sid: null,
    nameOnCard: null,
    address: null,
    photo: null,
    createdBy: "test",
    ...fields,
  };
}

/**
 * Issue 13's holder (finding 6, "the card preview differs from the printed face"): a legal name
 * no card holds, a name on card, a title too long for the card, and every other optional line.
 * A test adds the identifier and e-mail address that make it its own user.
 */
export const longNamedHolder = {
  firstName: "Maximiliane Theodora Friederike",
  lastName: "von Hohenzollern-Sigmaringen-Wittelsbach-Habsburg-Lothringen",
  nameOnCard: "Maximiliane von Hohenzollern",
  title: "SENIOR KEEPER OF THE PRIVY ARCHIVES AND HISTORICAL RECORDS",
  organization: "Contoso Worldwide Holdings",
  organizationalUnit: "Records & Archives",
};
