import { z } from "zod";
import { caKeyTypeNames } from "../../domain/ca-key-types.js";

/** What an administrator reads of the CA in use: which key, how it signs, until when. */
export const caInfoSchema = z.object({
  subject: z.string().describe("The CA's name, as OpenSSL writes it (RFC 2253)"),
  serial: z.string(),
  keyAlgorithm: z.string().describe("P-384, RSA-3072, RSA-4096 (or P-256 for an imported CA)"),
  keyType: z
    .enum(caKeyTypeNames)
    .nullable()
    .describe("The key type's setting name (TESSERA_CA_KEY_TYPE); null for a key type no setting names"),
  signatureAlgorithm: z
    .string()
    .describe("How the CA signs certificates, CRLs and OCSP responder certificates"),
  keyInToken: z.boolean().describe("Whether the CA key lives in a PKCS#11 token (tessera ca init)"),
  notBefore: z.string(),
  notAfter: z.string(),
  subordinate: z
    .boolean()
    .describe("Whether the CA is a subordinate of the office's own root (tessera ca import)"),
  responder: z.object({
    keyAlgorithm: z.string().describe("The OCSP responder's key: the CA's key type"),
    notAfter: z.string(),
  }),
});
