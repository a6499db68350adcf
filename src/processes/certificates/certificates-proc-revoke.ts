import { z } from "zod";
import { defineCertificateProcess } from "../certificate-process.js";

/** Revoke certificate: revoked with the reason given, for good. */
export const certificatesProcRevoke = defineCertificateProcess(
  "CertificatesProcRevoke",
  {
    reason: z.enum([
      "unspecified",
      "keyCompromise",
      "affiliationChanged",
      "superseded",
      "cessationOfOperation",
    ]),
  },
  (body) => ({ kind: "revoke", reason: body.reason }),
);
