import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../database.js";
import { foundation } from "./001-foundation.js";
import { certificates } from "./002-certificates.js";
import { batches } from "./003-batches.js";
import { cardSearch } from "./004-card-search.js";
import { cardCounts } from "./005-card-counts.js";
import { auditCheckpoints } from "./006-audit-checkpoints.js";
import { pendingChanges } from "./007-pending-changes.js";
import { downloadsBatchLink } from "./008-downloads-batch-link.js";
import { loginThrottle } from "./009-login-throttle.js";
import { userVersion } from "./010-user-version.js";
import { expiry } from "./011-expiry.js";
import { namesAndBatchNumbers } from "./012-names-and-batch-numbers.js";
import { cardSuccessors } from "./013-card-successors.js";
import { activationCodes } from "./014-activation-codes.js";
import { chipCards } from "./015-chip-cards.js";
import { tokenCa } from "./016-token-ca.js";
import { userSid } from "./017-user-sid.js";
import { nameSearch } from "./018-name-search.js";
import { searchLeftovers } from "./019-search-leftovers.js";
import { searchInOrder } from "./020-search-in-order.js";
import { greekFinalSigma } from "./021-greek-final-sigma.js";
import { pendingPuk } from "./022-pending-puk.js";
import { blankCardWait } from "./023-blank-card-wait.js";
import { chunkTemplates } from "./024-chunk-templates.js";
import { cardCountsPerStatement } from "./025-card-counts-per-statement.js";
import { itemsInProduction } from "./026-items-in-production.js";
import { tokenAndPartStorage } from "./027-token-and-part-storage.js";

/** Each migration's name, as deployed databases recorded it, and its step up. */
const steps: Record<string, (db: Kysely<unknown>, dialect: Dialect) => Promise<void>> = {
  "001-foundation": foundation,
  "002-certificates": certificates,
  "003-batches": batches,
  "004-card-search": cardSearch,
  "005-card-counts": cardCounts,
  "006-audit-checkpoints": auditCheckpoints,
  "007-pending-changes": pendingChanges,
  "008-downloads-batch-link": downloadsBatchLink,
  "009-login-throttle": loginThrottle,
  "010-user-version": userVersion,
  "011-expiry": expiry,
  "012-names-and-batch-numbers": namesAndBatchNumbers,
  "013-card-successors": cardSuccessors,
  "014-activation-codes": activationCodes,
  "015-chip-cards": chipCards,
  "016-token-ca": tokenCa,
  "017-user-sid": userSid,
  "018-name-search": nameSearch,
  "019-search-leftovers": searchLeftovers,
  "020-search-in-order": searchInOrder,
  "021-greek-final-sigma": greekFinalSigma,
  "022-pending-puk": pendingPuk,
  "023-blank-card-wait": blankCardWait,
  "024-chunk-templates": chunkTemplates,
  "025-card-counts-per-statement": cardCountsPerStatement,
  "026-items-in-production": itemsInProduction,
  "027-token-and-part-storage": tokenAndPartStorage,
};

/** Every migration, in order. The same list runs on SQLite and PostgreSQL. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(steps).map(([name, up]) => [name, { up: (db: Kysely<unknown>) => up(db, dialect) }]),
  );
}
