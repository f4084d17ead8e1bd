package gatehouse.authn.mtls;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.credential.Credential;
import io.vertx.core.Future;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The identity of a client certificate. The listener has already checked the chain to {@code
 * listen.tls.client_ca} and the validity period (server/ClientChains), and the client proved in
 * the handshake that it holds the key; this class only names the holder. Pure CPU, answers at once.
 *
 * <p>Names: the subject's CN and the DNS, URI and email subject alternative names (RFC 5280 section
 * 4.2.1.6). The identity's subject is the CN, else the first URI SAN (a SPIFFE id, say), else the
 * first DNS SAN, else the first email SAN. Identity headers are mapped from the claim set
 * {@code {sub, cn, dns: [...], uri: [...], email}} by {@code identity.claims}, so the default map
 * sets {@code X-User-Id} to the subject.
 */
public final class MtlsAuthenticator implements Authenticator {
  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private final Clock clock;

  private MtlsAuthenticator(Clock clock) {
    this.clock = clock;
  }

  public static MtlsAuthenticator create(Clock clock) {
    return new MtlsAuthenticator(clock);
  }

  @Override
  public Future<Authentication> authenticate(Credential credential) {
    if (!(credential instanceof Credential.ClientCertificate cc)) {
      throw new IllegalArgumentException("MtlsAuthenticator verifies client certificates, got " + credential.getClass().getSimpleName());
    }
    return Future.succeededFuture(identify(cc.certificate()));
  }

  Authentication identify(X509Certificate cert) {
    // Validity was checked when the request arrived; checked again here against the pipeline's clock.
    if (clock.instant().isAfter(cert.getNotAfter().toInstant())) {
      return new Authentication.Rejected(new AuthFailure("expired", "client certificate expired"));
    }
    Optional<String> cn = commonName(cert);
    List<String> dns = new ArrayList<>();
    List<String> uri = new ArrayList<>();
    List<String> email = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> san : cert.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (!(san.get(1) instanceof String value)) continue;
          if (type == SAN_DNS) dns.add(value);
          else if (type == SAN_URI) uri.add(value);
          else if (type == SAN_EMAIL) email.add(value);
        }
      }
    } catch (CertificateParsingException e) {
      return new Authentication.Rejected(new AuthFailure("malformed", "client certificate names cannot be read"));
    }
    Optional<String> subject = cn.or(() -> first(uri)).or(() -> first(dns)).or(() -> first(email));
    if (subject.isEmpty()) {
      return new Authentication.Rejected(new AuthFailure("missing_claim", "client certificate has no CN and no DNS, URI or email name"));
    }
    Set<String> names = new LinkedHashSet<>();
    cn.ifPresent(names::add);
    names.addAll(dns);
    names.addAll(uri);
    names.addAll(email);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", subject.get());
    cn.ifPresent(c -> claims.put("cn", c));
    if (!dns.isEmpty()) claims.put("dns", dns);
    if (!uri.isEmpty()) claims.put("uri", uri);
    first(email).ifPresent(e -> claims.put("email", e));
    Identity identity = new Identity(subject.get(), Scheme.MTLS, "mtls", Set.of(), Set.of(), VerifiedClaims.of(claims),
        Optional.of(cert.getNotAfter().toInstant()), names);
    return new Authentication.Authenticated(identity);
  }

  private static Optional<String> commonName(X509Certificate cert) {
    try {
      List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
      // LdapName lists RDNs from the most significant (C=, O=...); the CN naming the holder comes last.
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) return Optional.of(String.valueOf(rdns.get(i).getValue()));
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<String> first(List<String> values) {
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
