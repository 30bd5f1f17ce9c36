// A relying party in Java: validates leaf -> issuing CA -> root with the JDK's PKIX
// validator and revocation checking on (OCSP first, CRL from the distribution point as the
// fallback, for every certificate of the path). Prints VALID, or INVALID with the reason and
// exits 1. Arguments: root.pem issuing.pem leaf.pem
import java.io.FileInputStream;
import java.security.Security;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

public class PkixCheck {
    static X509Certificate load(CertificateFactory cf, String path) throws Exception {
        try (FileInputStream in = new FileInputStream(path)) {
            return (X509Certificate) cf.generateCertificate(in);
        }
    }

    public static void main(String[] args) throws Exception {
        Security.setProperty("ocsp.enable", "true");
        System.setProperty("com.sun.security.enableCRLDP", "true");
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate root = load(cf, args[0]);
        X509Certificate issuing = load(cf, args[1]);
        X509Certificate leaf = load(cf, args[2]);
        CertPath path = cf.generateCertPath(List.of(leaf, issuing));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        params.addCertPathChecker(checker);
        params.setRevocationEnabled(true);
        try {
            validator.validate(path, params);
            System.out.println("VALID");
        } catch (CertPathValidatorException e) {
            System.out.println("INVALID " + e.getReason() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
