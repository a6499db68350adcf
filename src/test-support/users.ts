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
