/**
 * A certificate the CA has signed, as it is recorded (times as written in it): what a production
 * worker hands back for each card and what `ca/issue-certificates.ts` records.
 */
export interface SignedCertificate {
  readonly serial: string;
  readonly profile: string;
  /** The subject as one line (see `subjectText`, `pki/certificate-profiles.ts`). */
  readonly subject: string;
  readonly der: Uint8Array;
  readonly notBefore: string;
  readonly notAfter: string;
}
