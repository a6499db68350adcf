import { defineCertificateProcess } from "../certificate-process.js";

/** Put certificate on hold: revoked with reason certificateHold (RFC 5280 §5.3.1) until released. */
export const certificatesProcHold = defineCertificateProcess("CertificatesProcHold", () => ({
  kind: "hold",
}));
