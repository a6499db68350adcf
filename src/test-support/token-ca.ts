import {
  createTokenCertificateAuthority,
  type TokenCaKeyType,
} from "../ca/create-token-certificate-authority.js";
import type { Config, Secrets } from "../config.js";
import type { ProcessOptions } from "../domain/process-options.js";
import { type Dialect, openStore } from "../store/database.js";
import { createTestDatabase } from "./databases.js";
import { softHsmModule, transportUserPin } from "./softhsm.js";
import { createTestApp } from "./test-app.js";

/** The environment variable the tests' token CAs read their PIN from. */
export const tokenCaPinVariable = "TESSERA_TEST_CA_PIN";
const passphrase = "test passphrase for the CA key";

/** The secrets `createTestApp` uses, with the token PINs `environment` holds. */
export function tokenCaSecrets(environment: Record<string, string>): Secrets {
  return {
    auditKey: Buffer.alloc(32, 7),
    pukKey: Buffer.alloc(32, 9),
    caKeyPassphrase: passphrase,
    auditCheckpointKey: Buffer.alloc(32, 5),
    caTokenPin: (variable) => environment[variable],
  };
}

/** The CA `ca init` makes, with the token PINs `environment` holds. */
export function tokenCaSettings(environment: Record<string, string>) {
  return {
    name: "Tessera Token CA",
    validityYears: 5,
    publicUrl: "http://localhost:3000",
    keyPassphrase: passphrase,
    tokenPin: tokenCaSecrets(environment).caTokenPin,
  };
}

/** Where `ca init` makes the CA key: SoftHSM's token `tokenLabel`, its PIN in {@link tokenCaPinVariable}. */
export function softHsmCaToken(tokenLabel: string, keyType: TokenCaKeyType = "p384") {
  return { modulePath: softHsmModule, tokenLabel, pinVariable: tokenCaPinVariable, keyType };
}

/**
 * Runs `ca init` on a fresh database of `dialect` (SQLite's in `sqliteFile`), the CA key made in
 * SoftHSM's token `tokenLabel` (its user PIN still the transport PIN), then starts Tessera on it as
 * a later start would, with these process `options` and `templates`. The caller closes both.
 */
export async function startTokenCa(
  dialect: Dialect,
  sqliteFile: string,
  token: { label: string; keyType: TokenCaKeyType },
  app: { options?: Partial<ProcessOptions>; templates?: Config["templates"] } = {},
) {
  const database = await createTestDatabase(dialect, sqliteFile);
  const store = await openStore(database.settings);
  const environment = { [tokenCaPinVariable]: transportUserPin };
  const created = await createTokenCertificateAuthority(
    store,
    softHsmCaToken(token.label, token.keyType),
    tokenCaSettings(environment),
    () => new Date(),
  );
  await store.close();
  const t = await createTestApp(dialect, {
    ...(app.options && { options: app.options }),
    config: {
      database: database.settings,
      secrets: tokenCaSecrets(environment),
      ...(app.templates && { templates: app.templates }),
    },
  });
  return { t, database, created };
}
