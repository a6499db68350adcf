import { TesseraError } from "../../domain/errors.js";
import { checkPhoto, maxPhotoBytes } from "../../domain/photo.js";
import { findProcess, type SymbolicName } from "../../domain/process-catalog.js";
import type { User } from "../../domain/user.js";
import { type Actor, nowIso, type Services } from "../../services/services.js";
import { type Db, transact } from "../../store/database.js";
import { newRowId } from "../../store/row-ids.js";
import { findUserById, insertUsers } from "../../store/users.js";
import { defineProcess } from "../process-handler.js";
import type { UserFields } from "../schemas.js";
import { refuseUnfitForCard } from "./unfit-for-card.js";

const definition = findProcess("UsersProcCreate");

export function decodePhoto(base64: string): { data: Buffer; type: string } {
  const data = Buffer.from(base64, "base64");
  if (data.length === 0 || data.length > maxPhotoBytes)
    throw new TesseraError("user.photo_invalid", undefined, { field: "photo" });
  const checked = checkPhoto(data);
  if (!checked.ok)
    throw new TesseraError(
      "user.photo_invalid",
      `The photo must be a whole JPEG or PNG image of at most 1 MB; this one is not: ${checked.reason}.`,
      { field: "photo", reason: checked.reason },
    );
  return { data, type: checked.type };
}

/** Creates one user in the caller's transaction, with its history entry. */
async function createUser(
  services: Services,
  trx: Db,
  actor: Actor,
  fields: UserFields,
  photo: { data: Buffer; type: string } | null,
): Promise<User> {
  const [id] = await createUsers(services, trx, actor, [{ fields, photo }], definition.symbolicName);
  return (await findUserById(trx, id!))!;
}

/**
 * Creates users in the caller's transaction, each with its history entry, in one statement
 * each rather than one per user (an import brings thousands). Returns their ids, in order.
 */
export async function createUsers(
  services: Services,
  trx: Db,
  actor: Actor,
  people: readonly { fields: UserFields; photo: { data: Buffer; type: string } | null }[],
  action: SymbolicName,
): Promise<string[]> {
  const at = nowIso(services);
  const users = people.map(({ fields, photo }) => ({
    id: newRowId(),
    identifier: fields.identifier,
    firstName: fields.firstName,
    lastName: fields.lastName,
    email: fields.email,
    organizationalUnit: fields.organizationalUnit ?? null,
    organization: fields.organization ?? null,
    title: fields.title ?? null,
    upn: fields.upn ?? null,
    sid: fields.sid ?? null,
    nameOnCard: fields.nameOnCard ?? null,
    address: fields.address ?? null,
    photo,
    createdBy: actor.id,
  }));
  await insertUsers(trx, users, at);
  await services.audit.append(
    trx,
    users.map((user) => ({
      action,
      objectType: "user",
      objectId: user.id,
      outcome: "success" as const,
      operator: actor,
      details: {
        identifier: user.identifier,
        name: `${user.firstName} ${user.lastName}`,
        photo: Boolean(user.photo),
      },
    })),
    at,
  );
  return users.map((user) => user.id);
}

/** Create user: a registration officer registers one person, active at once. */
export const usersProcCreate = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    const { photo: photoBase64, ...fields } = body;
    refuseUnfitForCard(fields);
    const photo = photoBase64 ? decodePhoto(photoBase64) : null;
    const user = await transact(services.store, (trx) => createUser(services, trx, actor, fields, photo));
    return { user };
  },
});
