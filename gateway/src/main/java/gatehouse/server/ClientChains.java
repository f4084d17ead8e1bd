package gatehouse.server;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client CAs of {@code listen.tls.client_ca}, and the gateway's own check of a client's chain
 * against them: PKIX path validation (signatures, CA basic constraints, validity at the given
 * instant; no revocation, as the JDK's default trust manager), plus the leaf's extended key usage,
 * when present, admitting TLS client authentication (RFC 5280 section 4.2.1.12).
 *
 * <p>With {@code client_auth: request} the handshake accepts whatever certificate is offered (the
 * client still proves it holds the leaf's key); only a chain this class verified becomes a
 * certificate identity. That is Envoy's {@code ACCEPT_UNTRUSTED}, and nginx's {@code
 * optional_no_ca} extended to expired certificates: a client with a certificate the gateway does
 * not trust is served as one without a certificate, instead of losing the connection, public
 * routes included.
 */
final class ClientChains {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";
  private static final String SESSION_KEY = "gatehouse.client-chain";

  private final Set<TrustAnchor> anchors;
  private final Set<X509Certificate> anchorCertificates;
  private final X509Certificate[] issuers;

  private ClientChains(List<X509Certificate> cas) {
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate ca : cas) a.add(new TrustAnchor(ca, null));
    this.anchors = Set.copyOf(a);
    this.anchorCertificates = Set.copyOf(cas);
    this.issuers = cas.toArray(new X509Certificate[0]);
  }

  /** @throws GeneralSecurityException when {@code pem} holds no certificate or one that cannot be read */
  static ClientChains parse(byte[] pem) throws GeneralSecurityException {
    List<X509Certificate> cas = new ArrayList<>();
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
      cas.add((X509Certificate) c);
    }
    if (cas.isEmpty()) throw new GeneralSecurityException("client_ca holds no certificate");
    return new ClientChains(cas);
  }

  /**
   * The leaf of {@code session}'s peer chain when it chains to these CAs and every certificate on
   * the path is valid at {@code now}; empty for no certificate and for any other. The verdict is
   * kept on the session, so a connection's chain is validated once; the validity window is compared
   * on every call, since a connection can outlive its certificate.
   */
  Optional<X509Certificate> verifiedLeaf(SSLSession session, Instant now) {
    if (session.getValue(SESSION_KEY) instanceof Verdict v && v.by() == this) return v.at(now);
    Verdict v = verify(peerChain(session), now);
    session.putValue(SESSION_KEY, v);
    return v.at(now);
  }

  Verdict verify(List<X509Certificate> chain, Instant now) {
    if (chain.isEmpty()) return new Verdict(this, Optional.empty(), Instant.MIN, Instant.MIN);
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (anchorCertificates.contains(c)) break;
      path.add(c);
    }
    if (path.isEmpty() || !admitsClientAuth(path.get(0))) return new Verdict(this, Optional.empty(), Instant.MIN, Instant.MIN);
    Instant from = Instant.MIN;
    Instant until = Instant.MAX;
    for (X509Certificate c : path) {
      if (c.getNotBefore().toInstant().isAfter(from)) from = c.getNotBefore().toInstant();
      if (c.getNotAfter().toInstant().isBefore(until)) until = c.getNotAfter().toInstant();
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (GeneralSecurityException e) {
      return new Verdict(this, Optional.empty(), Instant.MIN, Instant.MIN);
    }
    return new Verdict(this, Optional.of(path.get(0)), from, until);
  }

  private static boolean admitsClientAuth(X509Certificate leaf) {
    try {
      List<String> usage = leaf.getExtendedKeyUsage();
      return usage == null || usage.contains(CLIENT_AUTH) || usage.contains(ANY_USAGE);
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static List<X509Certificate> peerChain(SSLSession session) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate c : session.getPeerCertificates()) {
        if (!(c instanceof X509Certificate x)) return List.of();
        chain.add(x);
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return List.of();
    }
    return chain;
  }

  /**
   * The handshake's trust manager for {@code client_auth: request}: it names these CAs in the
   * certificate request (so a client holding several certificates can pick the right one) and
   * accepts every client chain; {@link #verifiedLeaf} decides what the chain is worth. It trusts no
   * server: the listener never acts as a TLS client.
   */
  X509ExtendedTrustManager acceptingTrustManager() {
    return new X509ExtendedTrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the listener's trust manager checks clients only");
      }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the listener's trust manager checks clients only");
      }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the listener's trust manager checks clients only");
      }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
      }
    };
  }

  /** The outcome of one chain check: the leaf when trusted, and the window in which the whole path is valid. */
  record Verdict(ClientChains by, Optional<X509Certificate> leaf, Instant from, Instant until) {
    Optional<X509Certificate> at(Instant now) {
      return leaf.isPresent() && !now.isBefore(from) && !now.isAfter(until) ? leaf : Optional.empty();
    }
  }
}
