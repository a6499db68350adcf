import { supersededStates } from "../../domain/card-states.js";
import { writesSid } from "../../domain/card-template.js";
import { findProcess } from "../../domain/process-catalog.js";
import type { User } from "../../domain/user.js";
import { changeUser, loadUserFor } from "../../services/user-steps.js";
import { findCardsOfUser } from "../../store/cards.js";
import { transact } from "../../store/database.js";
import type { UserDetailChanges } from "../../store/users.js";
import type { ProcessBody } from "../process-contracts.js";
import { defineProcess } from "../process-handler.js";
import { toCardView } from "../schemas.js";
import { refuseUnfitForCard } from "./unfit-for-card.js";
import { decodePhoto } from "./users-proc-create.js";

const definition = findProcess("UsersProcEdit");

/**
 * Fields printed on the card face or written into a certificate's subject or subjectAltName:
 * a change to one leaves the user's cards showing the old data until they are replaced.
 */
const cardFields = [
  "firstName",
  "lastName",
  "email",
  "organizationalUnit",
  "organization",
  "title",
  "upn",
  "sid",
  "nameOnCard",
] as const;

/** The fields an edit compares and records, old → new (the photo only as whether there is one). */
const recordedFields = [...cardFields, "address"] as const;
type RecordedField = (typeof recordedFields)[number];

type EditBody = ProcessBody<"UsersProcEdit">;

/** Each field the body names with a value other than the user's: old → new. */
function changedFields(
  user: User,
  body: EditBody,
): Partial<Record<RecordedField, { from: unknown; to: unknown }>> {
  const changes: Partial<Record<RecordedField, { from: unknown; to: unknown }>> = {};
  for (const field of recordedFields) {
    const to = body[field];
    if (to === undefined) continue;
    if (JSON.stringify(to) !== JSON.stringify(user[field])) changes[field] = { from: user[field], to };
  }
  return changes;
}

/** Edit user: a registration officer corrects or updates a person's details, at the version they saw. */
export const usersProcEdit = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    // A photo is checked before the transaction; null removes the one there is.
    const photo = body.photo == null ? body.photo : decodePhoto(body.photo);
    return transact(services.store, async (trx) => {
      const before = await loadUserFor(trx, body.userId, body.version);
      const changes = changedFields(before, body);
      // The user as the edit leaves them must still make a card.
      refuseUnfitForCard({
        ...before,
        ...Object.fromEntries(Object.entries(changes).map(([field, change]) => [field, change.to])),
      });
      const photoChanged = photo !== undefined && (photo !== null || before.hasPhoto);
      const changed = [...Object.keys(changes), ...(photoChanged ? ["photo"] : [])];
      // Nothing to change: no new version and no history entry for an edit that edits nothing.
      if (changed.length === 0) return { user: before, changed, cardFieldsChanged: [], cardsToReplace: [] };
      const update: UserDetailChanges = {
        ...(changes.email && { email: body.email! }),
        ...(changes.organizationalUnit && { organizationalUnit: body.organizationalUnit ?? null }),
        ...(changes.organization && { organization: body.organization ?? null }),
        ...(changes.title && { title: body.title ?? null }),
        ...(changes.upn && { upn: body.upn ?? null }),
        ...(changes.sid && { sid: body.sid ?? null }),
        ...(changes.nameOnCard && { nameOnCard: body.nameOnCard ?? null }),
        ...(changes.address && { address: body.address ?? null }),
        ...((changes.firstName || changes.lastName) && {
          name: { firstName: body.firstName ?? before.firstName, lastName: body.lastName ?? before.lastName },
        }),
        ...(photoChanged && { photo }),
      };
      // The photo's bytes stay out of the history: only that it was replaced or removed.
      const details = {
        changes: {
          ...changes,
          ...(photoChanged && { photo: { from: before.hasPhoto, to: photo !== null } }),
        },
      };
      const user = await changeUser({ services, trx, actor, process: definition }, before, update, details);
      const cardFieldsChanged = cardFields.filter((field) => field in changes);
      // Every template prints the same face and certifies the same subject, except the SID,
      // which only some authentication profiles write.
      const showsChange = (templateName: string) => {
        const template = services.templates.get(templateName);
        return cardFieldsChanged.some((field) => field !== "sid" || !template || writesSid(template));
      };
      const cardsToReplace =
        cardFieldsChanged.length === 0
          ? []
          : // Only cards made already show old data: one not made yet is made from the edited user.
            (await findCardsOfUser(trx, user.id)).filter(
              (card) => supersededStates.includes(card.state) && showsChange(card.template),
            );
      return { user, changed, cardFieldsChanged, cardsToReplace: cardsToReplace.map(toCardView) };
    });
  },
});
