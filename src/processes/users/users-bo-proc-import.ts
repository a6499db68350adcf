import { parseCsv } from "../../domain/csv.js";
import { TesseraError } from "../../domain/errors.js";
import { findProcess } from "../../domain/process-catalog.js";
import { nowIso } from "../../services/services.js";
import { transact } from "../../store/database.js";
import { findTakenIdentifiers, findTakenSids } from "../../store/users.js";
import { defineProcess } from "../process-handler.js";
import { type UserFields, userFieldsSchema } from "../schemas.js";
import { describeIssues } from "../validation.js";
import { holderProblemsFor } from "./unfit-for-card.js";
import { createUsers } from "./users-proc-create.js";

const definition = findProcess("UsersBoProcImport");

/** Header names people write, mapped to the user's fields (case and spacing ignored). */
const headerAliases: Record<string, keyof UserFields> = {
  firstname: "firstName",
  givenname: "firstName",
  lastname: "lastName",
  surname: "lastName",
  familyname: "lastName",
  email: "email",
  mail: "email",
  identifier: "identifier",
  id: "identifier",
  employeenumber: "identifier",
  organizationalunit: "organizationalUnit",
  ou: "organizationalUnit",
  department: "organizationalUnit",
  organization: "organization",
  organisation: "organization",
  o: "organization",
  title: "title",
  upn: "upn",
  userprincipalname: "upn",
  sid: "sid",
  objectsid: "sid",
  securityidentifier: "sid",
  nameoncard: "nameOnCard",
  cardname: "nameOnCard",
};
const requiredColumns: (keyof UserFields)[] = ["firstName", "lastName", "email", "identifier"];
export const maxImportRows = 50_000;

/** Import users (CSV): every valid row becomes a user; bad rows are reported by line, none half-made. */
export const usersBoProcImport = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    const parsed = parseCsv(body.csv);
    if (!parsed.ok)
      throw new TesseraError(
        parsed.tooLong ? "user.import_line_too_long" : "request.invalid",
        `Line ${parsed.line}: ${parsed.reason}.`,
        { field: "csv", line: parsed.line },
      );
    const [header, ...rows] = parsed.records;
    if (!header) throw new TesseraError("user.import_empty");
    const columns = header.fields.map((name) => headerAliases[name.toLowerCase().replace(/[\s_-]/g, "")]);
    const missing = requiredColumns.filter((c) => !columns.includes(c));
    if (missing.length > 0)
      throw new TesseraError(
        "request.invalid",
        `The header row lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`,
      );
    if (rows.length > maxImportRows)
      throw new TesseraError(
        "request.invalid",
        `At most ${maxImportRows} users in one import; split the file.`,
      );

    const errors: { line: number; reason: string }[] = [];
    const valid: { line: number; fields: UserFields }[] = [];
    const seen = new Map<string, number>();
    const seenSids = new Map<string, number>();
    for (const row of rows) {
      if (row.fields.length !== header.fields.length) {
        errors.push({
          line: row.line,
          reason: `has ${row.fields.length} fields; the header has ${header.fields.length}`,
        });
        continue;
      }
      const record: Record<string, string> = {};
      columns.forEach((column, i) => {
        if (column && row.fields[i] !== "") record[column] = row.fields[i]!;
      });
      const result = userFieldsSchema.safeParse(record);
      if (!result.success) {
        const issue = describeIssues(result.error.issues)[0]!;
        errors.push({ line: row.line, reason: `${issue.path || "row"}: ${issue.message}` });
        continue;
      }
      // A person no card could be made from is refused here, not by the batch that tries.
      const unfit = holderProblemsFor(result.data)[0];
      if (unfit) {
        errors.push({ line: row.line, reason: `${unfit.path}: ${unfit.message}` });
        continue;
      }
      const earlier = seen.get(result.data.identifier);
      if (earlier !== undefined) {
        errors.push({
          line: row.line,
          reason: `identifier ${result.data.identifier} repeats line ${earlier}`,
        });
        continue;
      }
      const sid = result.data.sid;
      const sidEarlier = sid === undefined ? undefined : seenSids.get(sid);
      if (sidEarlier !== undefined) {
        errors.push({ line: row.line, reason: `sid ${sid} repeats line ${sidEarlier}` });
        continue;
      }
      seen.set(result.data.identifier, row.line);
      if (sid) seenSids.set(sid, row.line);
      valid.push({ line: row.line, fields: result.data });
    }

    const created = await transact(services.store, async (trx) => {
      const taken = await findTakenIdentifiers(
        trx,
        valid.map((v) => v.fields.identifier),
      );
      const takenSids = await findTakenSids(
        trx,
        valid.flatMap((v) => (v.fields.sid ? [v.fields.sid] : [])),
      );
      const people: { fields: UserFields; photo: null }[] = [];
      for (const { line, fields } of valid) {
        if (taken.has(fields.identifier))
          errors.push({ line, reason: `identifier ${fields.identifier} belongs to an existing user` });
        else if (fields.sid && takenSids.has(fields.sid))
          errors.push({ line, reason: `sid ${fields.sid} belongs to an existing user` });
        else people.push({ fields, photo: null });
      }
      const count = (await createUsers(services, trx, actor, people, definition.symbolicName)).length;
      await services.audit.append(
        trx,
        [
          {
            action: definition.symbolicName,
            objectType: "import",
            outcome: "success",
            operator: actor,
            details: { created: count, rejectedLines: errors.length },
          },
        ],
        nowIso(services),
      );
      return count;
    });
    errors.sort((a, b) => a.line - b.line);
    return { created, errors };
  },
});
