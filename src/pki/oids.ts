/** The object identifiers Tessera's PKI writes and reads, in dotted notation. */
export const Oid = {
  // Signature algorithms (RFC 5758 §3.2, RFC 4055 §5) and keys (RFC 5480, RFC 8017).
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  // Hashes (OCSP CertID, RFC 6960 §4.1.1).
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  // Password-based encryption of private keys (RFC 8018).
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  // Name attributes (X.520, RFC 5280 §4.1.2.4, RFC 4519).
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  country: "2.5.4.6",
  locality: "2.5.4.7",
  stateOrProvince: "2.5.4.8",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  domainComponent: "0.9.2342.19200300.100.1.25",
  // Certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3).
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  crlNumber: "2.5.29.20",
  crlReason: "2.5.29.21",
  crlDistributionPoints: "2.5.29.31",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  // Access methods (RFC 5280 §4.2.2.1).
  accessOcsp: "1.3.6.1.5.5.7.48.1",
  accessCaIssuers: "1.3.6.1.5.5.7.48.2",
  // Extended key usages (RFC 5280 §4.2.1.12; Microsoft smart card logon).
  clientAuth: "1.3.6.1.5.5.7.3.2",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  smartcardLogon: "1.3.6.1.4.1.311.20.2.2",
  /** Microsoft user principal name, an otherName in subjectAltName. */
  userPrincipalName: "1.3.6.1.4.1.311.20.2.3",
  /** Microsoft's SID extension (KB5014754), and the otherName inside it that holds the SID string. */
  ntdsCaSecurity: "1.3.6.1.4.1.311.25.2",
  ntdsObjectSid: "1.3.6.1.4.1.311.25.2.1",
  // Kerberos PKINIT (RFC 4556 §3.2.2): the principal in subjectAltName and the client purpose.
  pkinitSan: "1.3.6.1.5.2.2",
  pkinitClientAuth: "1.3.6.1.5.2.3.4",
  // OCSP (RFC 6960 §4.2.1, §4.4).
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
  ocspNonce: "1.3.6.1.5.5.7.48.1.2",
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",
} as const;
