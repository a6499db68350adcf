import java.io.FileInputStream;
import java.io.InputStream;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * A relying party no one at Tessera wrote: Java's PKIX certification path validator (RFC 5280
 * §6) with revocation checking from the CRL given, and nothing else (no OCSP, no fetching).
 * Run by the tests with the JDK's source launcher:
 *
 *   java PkixCheck.java CA.pem CRL EPOCH_SECONDS CERT.pem...
 *
 * prints one line per certificate, "FILE: valid" or "FILE: refused: REASON: MESSAGE".
 */
public class PkixCheck {
  public static void main(String[] args) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    X509Certificate anchor;
    try (InputStream in = new FileInputStream(args[0])) {
      anchor = (X509Certificate) factory.generateCertificate(in);
    }
    X509CRL crl;
    try (InputStream in = new FileInputStream(args[1])) {
      crl = (X509CRL) factory.generateCRL(in);
    }
    Date at = new Date(Long.parseLong(args[2]) * 1000);
    CertStore crls = CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crl)));
    CertPathValidator validator = CertPathValidator.getInstance("PKIX");
    for (int i = 3; i < args.length; i++) {
      X509Certificate certificate;
      try (InputStream in = new FileInputStream(args[i])) {
        certificate = (X509Certificate) factory.generateCertificate(in);
      }
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.addCertStore(crls);
      parameters.setRevocationEnabled(true);
      parameters.setDate(at);
      try {
        validator.validate(factory.generateCertPath(List.of(certificate)), parameters);
        System.out.println(args[i] + ": valid");
      } catch (CertPathValidatorException e) {
        System.out.println(args[i] + ": refused: " + e.getReason() + ": " + e.getMessage());
      }
    }
  }
}
