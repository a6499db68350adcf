import type { CertificateState, RevocationReason } from "./certificate-states.js";

/** A certificate the CA issued, as every layer above the store sees it (its DER is read apart). */
export interface CertificateRecord {
  serial: string;
  cardId: string | null;
  profile: string;
  subject: string;
  state: CertificateState;
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
  createdAt: string;
  updatedAt: string;
}
