import {
  createTokenCertificateAuthority,
  type TokenCaKeyType,
  tokenCaKeyTypes,
} from "../ca/create-token-certificate-authority.js";
import { type Config, defaultCaPinVariable, environmentVariableName } from "../config.js";
import { openStore } from "../store/database.js";
import { usageError } from "./args.js";

type Flags = Map<string, string | boolean>;

const usage =
  "try: tessera ca init --pkcs11-module PATH --token-label LABEL [--pin-env VAR] [--key-type p384|rsa3072]";

/**
 * `tessera ca init --pkcs11-module PATH --token-label LABEL [--pin-env VAR] [--key-type
 * p384|rsa3072]`: creates the CA's key in a PKCS#11 token and the CA around it (see
 * `createTokenCertificateAuthority`). The PIN is read from the environment variable VAR
 * (TESSERA_CA_PIN by default), never from the command line, where other users could see it; the
 * variable's name is recorded, so that Tessera reads the PIN from it at every start.
 * Runs on the database without starting Tessera, which would make a software CA first.
 */
export async function runCaInitCommand(config: Config, flags: Flags): Promise<number> {
  const modulePath = flags.get("pkcs11-module");
  const tokenLabel = flags.get("token-label");
  if (typeof modulePath !== "string" || typeof tokenLabel !== "string")
    throw usageError(`ca init needs --pkcs11-module and --token-label; ${usage}`);
  const pinFlag = flags.get("pin-env");
  const pinVariable = typeof pinFlag === "string" ? pinFlag : defaultCaPinVariable;
  if (!environmentVariableName.test(pinVariable))
    throw usageError(`--pin-env needs the name of an environment variable, such as ${defaultCaPinVariable}`);
  const keyTypeFlag = flags.get("key-type");
  const keyType = typeof keyTypeFlag === "string" ? keyTypeFlag : "p384";
  if (!Object.hasOwn(tokenCaKeyTypes, keyType)) throw usageError(`--key-type is p384 or rsa3072; ${usage}`);

  const store = await openStore(config.database);
  try {
    const created = await createTokenCertificateAuthority(
      store,
      { modulePath, tokenLabel, pinVariable, keyType: keyType as TokenCaKeyType },
      {
        name: config.ca.name,
        validityYears: config.ca.validityYears,
        publicUrl: config.publicUrl,
        keyPassphrase: config.secrets.caKeyPassphrase,
        tokenPin: config.secrets.caTokenPin,
      },
      () => new Date(),
    );
    process.stdout.write(
      `CA ${created.serial} created: its ${tokenCaKeyTypes[keyType as TokenCaKeyType]} key (id ${created.keyId}) is in token "${tokenLabel}" (serial ${created.tokenSerial}) of ${modulePath}.\n` +
        `Tessera reads the token's PIN from ${pinVariable} at every start: set it there.\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
