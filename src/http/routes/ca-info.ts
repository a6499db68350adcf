import { X509Certificate } from "node:crypto";
import type { z } from "zod";
import type { CertificateAuthority } from "../../ca/certificate-authority.js";
import { caKeyTypeOf } from "../../domain/ca-key-types.js";
import { signatureAlgorithmFor } from "../../pki/signer.js";
import type { caInfoSchema } from "./ca-info-schema.js";

const keyAlgorithmOf = (certificate: X509Certificate): string => {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === "rsa") return `RSA-${details?.modulusLength}`;
  return details?.namedCurve === "secp384r1"
    ? "P-384"
    : details?.namedCurve === "prime256v1"
      ? "P-256"
      : "other";
};

/**
 * A name as `openssl x509 -nameopt RFC2253` writes it, from Node's multi-line form (which
 * already escapes as RFC 2253 asks): the RDNs last first, and within a multi-valued RDN, which
 * Node joins with " + " (a plus inside a value is escaped "\+"), the values last first too.
 */
export function rfc2253NameOf(nodeName: string): string {
  return nodeName
    .split("\n")
    .reverse()
    .map((rdn) => rdn.split(" + ").reverse().join("+"))
    .join(",");
}

export function caInfoOf(ca: CertificateAuthority): z.infer<typeof caInfoSchema> {
  const { identity } = ca;
  const certificate = new X509Certificate(identity.certificateDer);
  const responder = new X509Certificate(ca.responder().certificateDer);
  return {
    subject: rfc2253NameOf(certificate.subject),
    serial: identity.serialHex,
    keyAlgorithm: identity.keyAlgorithm,
    keyType: caKeyTypeOf(identity.keyAlgorithm) ?? null,
    signatureAlgorithm: signatureAlgorithmFor(identity.keyAlgorithm).name,
    keyInToken: ca.workerToken !== undefined,
    notBefore: identity.notBefore.toISOString(),
    notAfter: identity.notAfter.toISOString(),
    subordinate: ca.chain.length > 0,
    responder: {
      keyAlgorithm: keyAlgorithmOf(responder),
      notAfter: new Date(responder.validTo).toISOString(),
    },
  };
}
