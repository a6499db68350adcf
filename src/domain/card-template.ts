import { z } from "zod";

/**
 * What a kind of card is: its certificate profiles, PIN and PUK bounds, validity, number
 * format and encoder. Templates come from configuration and are stored, so a card always
 * names the template it was made from.
 */
export const keyAlgorithms = ["P-256", "P-384", "RSA-2048", "RSA-3072"] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

/**
 * The kind of a certificate decides its key usages (see pki/certificate-profiles.ts):
 * authentication → digitalSignature, clientAuth + smartcardLogon;
 * signature → nonRepudiation; encryption → keyEncipherment (RSA) or keyAgreement (EC), emailProtection.
 */
export const profileKinds = ["authentication", "signature", "encryption"] as const;
export type ProfileKind = (typeof profileKinds)[number];

/**
 * How an authentication certificate lets its holder log on to Windows and Kerberos.
 *
 * Windows domain controllers in full enforcement (KB5014754) map a certificate to an account
 * strongly only by the account's security identifier: `sid` chooses the SID extension
 * (1.3.6.1.4.1.311.25.2, as Microsoft's CAs write it), the subjectAltName URL
 * `tag:microsoft.com,2022-09-14:sid:<SID>`, both, or none. MIT and Heimdal KDCs look for the
 * id-pkinit-san principal and the id-pkinit-KPClientAuth purpose (RFC 4556 §3.2.2): `pkinit`
 * adds both, the principal's name taken from the holder's UPN (the part before `@`) or identifier,
 * in the configured realm.
 */
export const sidForms = ["extension", "url", "both", "none"] as const;
export const logonIdentifiers = ["upn", "sid"] as const;
export type LogonIdentifier = (typeof logonIdentifiers)[number];
/** Each identifier as an operator reads it. */
export const logonIdentifierLabels: Record<LogonIdentifier, string> = {
  upn: "user principal name (UPN)",
  sid: "security identifier (SID)",
};

export const logonSchema = z
  .strictObject({
    sid: z
      .enum(sidForms)
      .default("extension")
      .describe("Where the holder's SID goes, when the holder has one"),
    pkinit: z
      .strictObject({
        // Components separated by single periods (RFC 4120 §6.1): an empty one is no KDC's realm.
        realm: z
          .string()
          .max(255, "must be a Kerberos realm of at most 255 characters")
          .regex(/^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*$/, {
            message: "must be a Kerberos realm such as EXAMPLE.ORG",
          }),
        principal: z
          .enum(["upn", "identifier"])
          .default("upn")
          .describe("The principal's name: the UPN's part before @, or the user's identifier"),
      })
      .optional()
      .describe("Adds the id-pkinit-san principal and the id-pkinit-KPClientAuth purpose"),
    require: z
      .array(z.enum(logonIdentifiers))
      .max(2)
      .default([])
      .describe("Identifiers a holder must have: a card for a holder without one fails, naming it"),
  })
  .describe("Logon settings of an authentication certificate");
export type LogonSettings = z.infer<typeof logonSchema>;

/** Without settings an authentication certificate carries the SID extension whenever the holder has a SID. */
export const defaultLogon: LogonSettings = { sid: "extension", require: [] };

export const certificateProfileSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    kind: z.enum(profileKinds),
    keyAlgorithm: z.enum(keyAlgorithms),
    /** Authentication profiles only; absent means {@link defaultLogon}. */
    logon: logonSchema.optional(),
  })
  .refine((p) => p.kind === "authentication" || p.logon === undefined, {
    message: "logon settings apply to authentication profiles only",
    path: ["logon"],
  });
export type CertificateProfile = z.infer<typeof certificateProfileSchema>;

/** The logon settings a profile issues with: none for signature and encryption certificates. */
export function logonOf(profile: CertificateProfile): LogonSettings | undefined {
  return profile.kind === "authentication" ? (profile.logon ?? defaultLogon) : undefined;
}

/**
 * Whether some certificate of the template carries the holder's SID (as the extension or the URL):
 * only then does a card of it show a SID that changed.
 */
export function writesSid(template: Pick<CardTemplate, "profiles">): boolean {
  return template.profiles.some((profile) => {
    const form = logonOf(profile)?.sid;
    return form !== undefined && form !== "none";
  });
}

/**
 * The identifiers a holder must have for the template's certificates: those its profiles
 * require, and the UPN a PKINIT principal is made from.
 */
export function requiredLogonIdentifiers(profiles: readonly CertificateProfile[]): LogonIdentifier[] {
  const required = new Set<LogonIdentifier>();
  for (const profile of profiles) {
    const logon = logonOf(profile);
    if (!logon) continue;
    for (const identifier of logon.require) required.add(identifier);
    if (logon.pkinit?.principal === "upn") required.add("upn");
  }
  return logonIdentifiers.filter((identifier) => required.has(identifier));
}

/** The holder's fields a logon certificate is made from (a user, or a certificate's subject). */
export interface LogonHolder {
  readonly identifier?: string | null | undefined;
  readonly upn?: string | null | undefined;
  readonly sid?: string | null | undefined;
}

/** Why a holder's logon certificate cannot be made: the same every time, until the user changes. */
export interface LogonProblem {
  readonly field: LogonIdentifier | "identifier";
  /** The holder has no such field at all, as against one the certificate cannot take. */
  readonly missing: boolean;
  /** In an operator's words, a sentence without its capital and full stop. */
  readonly message: string;
}

// A KerberosString is IA5 (RFC 4120 §5.2.1), and "/" and "@" would read as another component or
// a realm (and "\" quotes them in the text form KDCs and kinit parse).
const kerberosNamePattern = /^[\x21-\x7e]+$/;
const kerberosNameBreakers = /[/@\\]/;

/**
 * The name of the holder's Kerberos principal in the realm (RFC 4556 §3.2.2), or why there is
 * none. From the UPN only when its domain is the realm (letter case aside): anna@partner.example
 * taken as anna@CORP.EXAMPLE would name another person's account, the realm's own anna.
 */
export function pkinitPrincipalNameOf(
  holder: LogonHolder,
  pkinit: NonNullable<LogonSettings["pkinit"]>,
): { name: string } | { problem: LogonProblem } {
  const from = pkinit.principal;
  const text = from === "upn" ? holder.upn : holder.identifier;
  if (!text)
    return {
      problem: {
        field: from,
        missing: true,
        message: `the card's logon certificate needs the holder's ${from === "upn" ? logonIdentifierLabels.upn : "identifier"} for its Kerberos principal, and the user has none`,
      },
    };
  const at = from === "upn" ? text.lastIndexOf("@") : -1;
  const name = at < 0 ? text : text.slice(0, at);
  if (!kerberosNamePattern.test(name) || kerberosNameBreakers.test(name))
    return {
      problem: {
        field: from,
        missing: false,
        message: `the ${from === "upn" ? `part before @ of the ${logonIdentifierLabels.upn}` : "identifier"} cannot name a Kerberos principal: it must be ASCII letters, digits and signs, without spaces, "/", "@" or "\\"${from === "identifier" ? "; an identifier is not edited, so the holder needs a card of another template" : ""}`,
      },
    };
  if (from === "upn") {
    const domain = text.slice(at + 1);
    if (!kerberosNamePattern.test(domain) || domain.toUpperCase() !== pkinit.realm.toUpperCase())
      return {
        problem: {
          field: "upn",
          missing: false,
          message: `the ${logonIdentifierLabels.upn} is of the domain ${domain}, not of the Kerberos realm ${pkinit.realm}: the card's principal ${name}@${pkinit.realm} would name an account that is not this user's`,
        },
      };
  }
  return { name };
}

/**
 * Every reason the holder's certificates of these profiles cannot be made: an identifier the
 * profiles require and the holder lacks, or one a PKINIT principal cannot be made from.
 */
export function logonProblems(holder: LogonHolder, profiles: readonly CertificateProfile[]): LogonProblem[] {
  const problems: LogonProblem[] = [];
  for (const identifier of requiredLogonIdentifiers(profiles))
    if (!holder[identifier])
      problems.push({
        field: identifier,
        missing: true,
        message: `the card's logon certificate needs the holder's ${logonIdentifierLabels[identifier]}, and the user has none`,
      });
  for (const profile of profiles) {
    const pkinit = logonOf(profile)?.pkinit;
    if (!pkinit) continue;
    const principal = pkinitPrincipalNameOf(holder, pkinit);
    if ("problem" in principal && !problems.some((problem) => problem.field === principal.problem.field))
      problems.push(principal.problem);
  }
  return problems;
}

/**
 * How a template's chip cards are reached and personalised (encoder `pkcs11`). The PIN and
 * PUK of each card come from the batch; these are the card type's own facts.
 */
export const pkcs11EncoderSchema = z.strictObject({
  /** The card middleware's PKCS#11 library on the production station, e.g. OpenSC's or SoftHSM's. */
  module: z.string().min(1).max(500),
  /** A blank card is an uninitialised token, or one whose label matches this regular expression. */
  blankLabel: z
    .string()
    .max(200)
    .refine(
      (pattern) => {
        try {
          new RegExp(pattern);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must be a regular expression" },
    )
    .default("^blank"),
  /**
   * The environment variable that holds, on the production station, the security-officer PIN
   * blank cards of this type leave the factory with: a secret of the station, kept out of the
   * configuration file, the database and the API.
   */
  transportSoPinEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, { message: "must be an environment variable's name" })
    .default("TESSERA_TRANSPORT_SO_PIN"),
  /**
   * How the PUK unblocks the PIN (OpenSC's user_pin_unblock_style): `soLogin` logs in as
   * security officer with the PUK and sets the PIN (C_InitPIN); `setPin` calls C_SetPIN with the
   * PUK and the new PIN in a session without login.
   */
  unblockStyle: z.enum(["soLogin", "setPin"]).default("soLogin"),
  /** How many cards are personalised at once: one per reader the station has. */
  readers: z.int().min(1).max(64).default(4),
  /**
   * How long a card waits for a blank card to be put in the readers when none is left, in
   * seconds, before it fails: a station whose hopper runs empty is refilled, not its batch
   * failed (0: fail at once). Each card of a batch waits this long, one after the other.
   */
  blankCardWaitSeconds: z.int().min(0).max(86_400).default(600),
});
export type Pkcs11Encoder = z.infer<typeof pkcs11EncoderSchema>;

/**
 * How a software token's PKCS#12 file is protected. Both carry every key algorithm Tessera
 * issues (P-256, P-384, RSA-2048, RSA-3072): a PKCS#8 shrouded key bag holds any key, so no
 * template is refused for its keys.
 */
export const pkcs12Formats = ["modern", "legacy"] as const;
export type Pkcs12Format = (typeof pkcs12Formats)[number];

export const pkcs12FormatSchema = z
  .enum(pkcs12Formats)
  .default("modern")
  .describe(
    "How software tokens (encoder software) are protected. " +
      "`modern` (default): PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, an HMAC-SHA256 MAC, as " +
      "`openssl pkcs12 -export` writes by default; read by OpenSSL 3, GnuTLS, NSS, Java ≥ 8u301/11.0.12, " +
      "Python, Windows 10 1709/Server 2019 and macOS 11 onwards. " +
      "`legacy`: pbeWithSHAAnd3-KeyTripleDES-CBC for keys and certificates and an HMAC-SHA1 MAC " +
      "(RFC 7292 Appendix B and C), as `openssl pkcs12 -export -legacy -descert` writes; needed by readers " +
      "that predate PBES2: Go's x/crypto/pkcs12, Heimdal (hxtool, which loads only RSA keys as Debian " +
      "builds it), older Windows and macOS, OpenSSL 3 only with -legacy. " +
      "`legacy` is weaker: its keys come from an iterated plain SHA-1 chain instead of PBKDF2-HMAC-SHA256, " +
      "3DES has 64-bit blocks and 112-bit strength and is disallowed by NIST after 2023, and the MAC is " +
      "SHA-1. With a PIN of a few digits neither resists an offline guess; choose `legacy` only for " +
      "holders whose software cannot read `modern`. " +
      "Every key algorithm fits both formats. Not allowed with encoder pkcs11.",
  );

const lengthBounds = (min: number, max: number) =>
  z
    .strictObject({ min: z.int().min(min).max(max), max: z.int().min(min).max(max) })
    .refine((b) => b.min <= b.max, { message: "min must not exceed max" });

export const cardTemplateSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    description: z.string().max(500).default(""),
    profiles: z.array(certificateProfileSchema).min(1).max(8),
    pinLength: lengthBounds(4, 12).default({ min: 4, max: 12 }),
    pukLength: lengthBounds(8, 16).default({ min: 8, max: 16 }),
    validityDays: z.int().min(1).max(3650).default(1095),
    /** Printed card numbers: the prefix, then a running number, then a Luhn check digit. */
    cardNumber: z
      .strictObject({ prefix: z.string().regex(/^\d{0,8}$/), digits: z.int().min(4).max(12) })
      .default({ prefix: "", digits: 8 }),
    encoder: z.enum(["software", "pkcs11"]).default("software"),
    /** Required with encoder `pkcs11`. */
    pkcs11: pkcs11EncoderSchema.optional(),
    pkcs12Format: pkcs12FormatSchema,
    /** Colours of the printed card face. */
    layout: z
      .strictObject({
        title: z.string().max(40).default("IDENTITY CARD"),
        accentColor: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/)
          .default("#1f4e79"),
      })
      .default({ title: "IDENTITY CARD", accentColor: "#1f4e79" }),
  })
  .refine((t) => new Set(t.profiles.map((p) => p.name)).size === t.profiles.length, {
    message: "profile names must be unique within a template",
  })
  .refine((t) => (t.encoder === "pkcs11") === (t.pkcs11 !== undefined), {
    message: "a template with encoder pkcs11 needs its pkcs11 settings (at least the module), and only then",
    path: ["pkcs11"],
  })
  // A chip card's keys never leave it, so there is no PKCS#12 file to format.
  .refine((t) => t.encoder === "software" || t.pkcs12Format === "modern", {
    message: "pkcs12Format legacy applies to software tokens only, not to encoder pkcs11",
    path: ["pkcs12Format"],
  });
export type CardTemplate = z.infer<typeof cardTemplateSchema>;

/** The two templates a fresh Tessera ships with. */
export const demoTemplates: CardTemplate[] = [
  cardTemplateSchema.parse({
    name: "Employee ID",
    description: "Staff card: authentication and qualified signature, ECDSA P-256.",
    profiles: [
      { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" },
      { name: "signature", kind: "signature", keyAlgorithm: "P-256" },
    ],
    pinLength: { min: 4, max: 12 },
    pukLength: { min: 8, max: 16 },
    validityDays: 1095,
    cardNumber: { prefix: "7001", digits: 8 },
    layout: { title: "EMPLOYEE ID", accentColor: "#1f4e79" },
  }),
  cardTemplateSchema.parse({
    name: "Contractor badge",
    description: "Contractor badge: authentication only, RSA-2048.",
    profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "RSA-2048" }],
    pinLength: { min: 6, max: 12 },
    pukLength: { min: 8, max: 16 },
    validityDays: 365,
    cardNumber: { prefix: "7002", digits: 8 },
    layout: { title: "CONTRACTOR", accentColor: "#8a3b12" },
  }),
];
