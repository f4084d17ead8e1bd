package gatehouse.server;

import gatehouse.config.KeyFiles;
import gatehouse.config.ListenTlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509KeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the public listener: TLS 1.2 and 1.3 only, ALPN {@code h2} then {@code http/1.1}, client
 * certificates as configured. The certificate, key and client CA files are re-read every {@link
 * #CHECK_EVERY} through Vert.x's file system (never blocking an event loop); when their content
 * changes, the new material is checked (the key must sign what the certificate verifies) and handed
 * to every listener with {@code updateSSLOptions}: new handshakes use it, open connections keep
 * theirs. A broken update (half-written files, a key of another certificate) is logged and the
 * previous material stays in use until the files change again.
 */
public final class ListenerTls {
  private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
  /** How often the files are compared; a rotated certificate is served within this. */
  public static final Duration CHECK_EVERY = Duration.ofSeconds(5);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final Vertx vertx;
  private final ListenTlsConfig config;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final Clock clock;
  private volatile ServerSSLOptions current;
  private volatile Optional<ClientChains> currentChains;
  private volatile String currentDigest;
  private volatile String lastRefusedDigest = "";
  private long timer = -1;

  private ListenerTls(Vertx vertx, ListenTlsConfig config, Clock clock, Material initial, String digest) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.current = initial.ssl();
    this.currentChains = initial.chains();
    this.currentDigest = digest;
  }

  /** What one set of files makes: the listeners' options and the client CAs the gateway checks chains against. */
  private record Material(ServerSSLOptions ssl, Optional<ClientChains> chains) {}

  /**
   * Reads the files now, on the calling thread (where config is loaded, never an event loop).
   * {@code clock} dates the check of client certificate chains.
   *
   * @throws IllegalArgumentException starting with {@code listen.tls} when the files cannot be read
   *     or the key does not belong to the certificate
   */
  public static ListenerTls load(Vertx vertx, ListenTlsConfig config, Clock clock) {
    List<Buffer> files = new ArrayList<>();
    try {
      files.add(Buffer.buffer(Files.readAllBytes(config.cert())));
      files.add(Buffer.buffer(Files.readAllBytes(config.key())));
      if (config.clientCa().isPresent()) files.add(Buffer.buffer(Files.readAllBytes(config.clientCa().get())));
    } catch (IOException e) {
      throw new IllegalArgumentException("listen.tls: cannot read " + e.getMessage(), e);
    }
    try {
      return new ListenerTls(vertx, config, clock, material(vertx, config, files), digest(files));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("listen.tls: " + e.getMessage(), e);
    }
  }

  /** Applies TLS to {@code options}, with the material loaded last. */
  public HttpServerOptions apply(HttpServerOptions options) {
    ServerSSLOptions ssl = current;
    return options.setSsl(true)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth());
  }

  /** Whether listeners ask for client certificates (then requests carry them to the pipeline). */
  public boolean asksForClientCertificates() {
    return config.clientAuth() != ListenTlsConfig.ClientAuth.NONE;
  }

  /**
   * The client certificate a request's connection presented, when the gateway verified its chain
   * against the current {@code client_ca} and every certificate on it is valid now; empty for no
   * certificate, an untrusted one and an expired one alike. The handshake of {@code client_auth:
   * request} accepts any certificate (see {@link ClientChains}), so this check, not the handshake,
   * is what makes a certificate an identity. Pure CPU; the chain is validated once per TLS session.
   */
  public Optional<X509Certificate> verifiedClientCertificate(SSLSession session) {
    Optional<ClientChains> chains = currentChains;
    return chains.isEmpty() || session == null ? Optional.empty() : chains.get().verifiedLeaf(session, clock.instant());
  }

  /** A listener that takes updates; call once it is bound. */
  public void register(HttpServer server) {
    servers.add(server);
  }

  public void unregister(HttpServer server) {
    servers.remove(server);
  }

  /** Starts comparing the files every {@link #CHECK_EVERY}. */
  public void watch() {
    timer = vertx.setPeriodic(CHECK_EVERY.toMillis(), id -> checkNow());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /**
   * Reads the files and, when they changed, updates every listener. Completes with true when new
   * material was installed, false when nothing changed or the change was refused (logged).
   */
  public Future<Boolean> checkNow() {
    List<Future<Buffer>> reads = new ArrayList<>();
    reads.add(vertx.fileSystem().readFile(config.cert().toString()));
    reads.add(vertx.fileSystem().readFile(config.key().toString()));
    config.clientCa().ifPresent(ca -> reads.add(vertx.fileSystem().readFile(ca.toString())));
    return Future.all(reads).compose(all -> {
      List<Buffer> files = new ArrayList<>();
      for (int i = 0; i < reads.size(); i++) files.add(all.resultAt(i));
      String digest = digest(files);
      if (digest.equals(currentDigest) || digest.equals(lastRefusedDigest)) return Future.succeededFuture(false);
      Material next;
      try {
        next = material(vertx, config, files);
      } catch (GeneralSecurityException | RuntimeException e) {
        lastRefusedDigest = digest;
        log.error("listen.tls: the changed files were not loaded, the previous certificate stays in use: {}", e.getMessage());
        return Future.succeededFuture(false);
      }
      List<Future<Boolean>> updates = new ArrayList<>();
      for (HttpServer s : servers) updates.add(s.updateSSLOptions(next.ssl()));
      return Future.all(updates).map(done -> {
        current = next.ssl();
        currentChains = next.chains();
        currentDigest = digest;
        log.info("listen.tls: loaded a new certificate ({}) for {} listeners", describe(next.ssl()), servers.size());
        return true;
      }).recover(e -> {
        lastRefusedDigest = digest;
        log.error("listen.tls: updating the listeners failed, the previous certificate stays in use: {}", e.getMessage());
        return Future.succeededFuture(false);
      });
    }, e -> {
      log.warn("listen.tls: cannot read the certificate files, keeping the current ones: {}", e.getMessage());
      return Future.succeededFuture(false);
    });
  }

  private static Material material(Vertx vertx, ListenTlsConfig config, List<Buffer> files) throws GeneralSecurityException {
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertValue(files.get(0)).setKeyValue(files.get(1));
    try {
      KeyFiles.checkCertificateKey(files.get(0).getBytes(), files.get(1).getBytes());
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(keyCert)
        .setUseAlpn(true)
        .setApplicationLayerProtocols(List.of("h2", "http/1.1"))
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    Optional<ClientChains> chains = Optional.empty();
    if (files.size() > 2) {
      chains = Optional.of(ClientChains.parse(files.get(2).getBytes()));
      // require: the handshake refuses what client_ca does not vouch for. request: it accepts any
      // certificate and the gateway decides per request (nginx optional_no_ca, Envoy ACCEPT_UNTRUSTED).
      ssl.setTrustOptions(config.clientAuth() == ListenTlsConfig.ClientAuth.REQUEST
          ? TrustOptions.wrap(chains.get().acceptingTrustManager())
          : new PemTrustOptions().addCertValue(files.get(2)));
    }
    ssl.setClientAuth(switch (config.clientAuth()) {
      case NONE -> ClientAuth.NONE;
      case REQUEST -> ClientAuth.REQUEST;
      case REQUIRE -> ClientAuth.REQUIRED;
    });
    return new Material(ssl, config.clientAuth() == ListenTlsConfig.ClientAuth.NONE ? Optional.empty() : chains);
  }

  private String describe(ServerSSLOptions ssl) {
    try {
      for (KeyManager m : ssl.getKeyCertOptions().getKeyManagerFactory(vertx).getKeyManagers()) {
        if (m instanceof X509KeyManager km) {
          X509Certificate leaf = km.getCertificateChain(KeyFiles.serverAlias(km).orElseThrow())[0];
          return leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter().toInstant();
        }
      }
    } catch (Exception e) {
      return "unreadable";
    }
    return "unknown";
  }

  private static String digest(List<Buffer> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Buffer b : files) {
        sha.update(b.getBytes());
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new AssertionError("SHA-256 is required of every JDK", e);
    }
  }
}
