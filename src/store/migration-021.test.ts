import { expect } from "vitest";
import { describeUpgrade, findUserIds, insertOldUser } from "../test-support/migration-upgrade.js";
import { updateUser } from "./users.js";

/**
 * Migration 021 on a database that already holds Greek names: a last name written with a final
 * ς, whose words were made before, is found by its capitals and its lower case alike afterwards,
 * and so is one written after the upgrade.
 */
describeUpgrade(
  "021-greek-final-sigma",
  "Greek names",
  "finds them whichever way the final sigma is written",
  async ({ db, store, migrate, at }) => {
    await insertOldUser(db, { id: "nikos", firstName: "Νικος", lastName: "Παπαδοπουλος" }, at);
    await insertOldUser(db, { id: "anna", firstName: "Anna", lastName: "Berg" }, at);

    await migrate();
    for (const q of ["ΠΑΠΑΔΟΠΟΥΛΟΣ", "παπαδοπουλος", "νικος"])
      expect(await findUserIds(store, q), q).toEqual(["nikos"]);
    expect(await findUserIds(store, "berg")).toEqual(["anna"]);

    // A name written afterwards gets its words the same way.
    expect(
      await updateUser(store, "anna", 1, { name: { firstName: "Άννα", lastName: "ΓΕΩΡΓΙΟΥ Σταυρος" } }, at),
    ).toBe(true);
    expect(await findUserIds(store, "σταυροσ γεωργιου")).toEqual(["anna"]);
    expect(await findUserIds(store, "ΣΤΑΥΡΟΣ")).toEqual(["anna"]);
  },
);
