package gatehouse.tls;

import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for the gateway's outgoing TLS (key sets, introspection, upstreams): the JDK's system trust
 * store, plus the CA certificates of a configured PEM file. Vert.x trust options replace the
 * system store, so a configured {@code ca} would otherwise silently drop every public CA.
 */
public final class Trust {
  private Trust() {}

  /**
   * The system trust store plus every certificate in {@code caPem}. Read once, here; call where
   * config is loaded, not on an event loop.
   *
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static TrustOptions systemPlus(Path caPem) {
    try {
      X509TrustManager system = trustManager(null);
      X509TrustManager extra = trustManager(keyStoreOf(caPem));
      return TrustOptions.wrap(new Either(extra, system));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(caPem + ": cannot read CA certificates: " + e.getMessage(), e);
    }
  }

  private static KeyStore keyStoreOf(Path pem) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pem)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certs.isEmpty()) throw new CertificateException("no certificate in the file");
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate c : certs) store.setCertificateEntry("ca-" + i++, c);
    return store;
  }

  private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) return x;
    }
    throw new GeneralSecurityException("no X509TrustManager");
  }

  /** Trusts a chain either manager trusts; client certificates are not this class's business. */
  private static final class Either implements X509TrustManager {
    private final X509TrustManager first;
    private final X509TrustManager second;

    Either(X509TrustManager first, X509TrustManager second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        first.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        second.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("outgoing trust only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> all = new ArrayList<>(List.of(first.getAcceptedIssuers()));
      all.addAll(List.of(second.getAcceptedIssuers()));
      return all.toArray(new X509Certificate[0]);
    }
  }
}
