import { defineCertificateProcess } from "../certificate-process.js";

/** Revoke certificate: revoked with the reason given, for good. */
export const certificatesProcRevoke = defineCertificateProcess("CertificatesProcRevoke", (body) => ({
  kind: "revoke",
  reason: body.reason,
}));
