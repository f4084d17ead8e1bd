package gatehouse.config;

import gatehouse.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The trust sections: {@code listen.tls}, {@code upstreams.<name>.tls} and {@code sign} (global or
 * per upstream). Files must exist and certificates must parse; private keys are parsed when the
 * gateway compiles the config (as JWT key files are), so {@code validate} reports them too.
 */
final class TrustReader {
  static final List<String> LISTEN_TLS = List.of("cert", "key", "client_ca", "client_auth");
  static final List<String> UPSTREAM_TLS = List.of("ca", "cert", "key", "server_name");
  static final List<String> SIGN = List.of("mode", "algorithm", "keys", "header", "lifetime", "content_digest");
  static final List<String> CONTENT_DIGEST = List.of("max_body");
  private static final List<String> KEY = List.of("id", "private_key", "secret");

  private final Reader reader;
  private final Path baseDir;

  TrustReader(Reader reader, Path baseDir) {
    this.reader = reader;
    this.baseDir = baseDir;
  }

  Optional<ListenTlsConfig> listenTls(Fields listen) {
    Optional<Fields> f = listen.fields("tls", LISTEN_TLS);
    if (f.isEmpty()) return Optional.empty();
    Fields t = f.get();
    t.require("cert");
    t.require("key");
    Optional<Path> cert = certificates(t, "cert");
    Optional<Path> key = file(t, "key");
    Optional<Path> clientCa = certificates(t, "client_ca");
    ListenTlsConfig.ClientAuth auth = clientCa.isPresent() ? ListenTlsConfig.ClientAuth.REQUEST : ListenTlsConfig.ClientAuth.NONE;
    Optional<Node.Scalar> a = t.scalar("client_auth");
    if (a.isPresent()) {
      switch (a.get().text()) {
        case "none" -> auth = ListenTlsConfig.ClientAuth.NONE;
        case "request" -> auth = ListenTlsConfig.ClientAuth.REQUEST;
        case "require" -> auth = ListenTlsConfig.ClientAuth.REQUIRE;
        default -> {
          reader.problems.add(a.get(), t.pathOf("client_auth"), "expected none, request or require, got " + a.get().shown());
          return Optional.empty();
        }
      }
      if (auth != ListenTlsConfig.ClientAuth.NONE && !t.has("client_ca")) {
        reader.problems.add(a.get(), t.pathOf("client_auth"), a.get().text() + " needs client_ca (the CAs client certificates must chain to)");
      } else if (auth == ListenTlsConfig.ClientAuth.NONE && t.has("client_ca")) {
        reader.problems.add(a.get(), t.pathOf("client_auth"), "none ignores client_ca; remove one of them");
      }
    }
    if (cert.isEmpty() || key.isEmpty() || (t.has("client_ca") && clientCa.isEmpty())) return Optional.empty();
    return Optional.of(new ListenTlsConfig(cert.get(), key.get(), clientCa, auth));
  }

  /** {@code tls} of an upstream whose url is https ({@code https}) or http (then tls is an error). */
  UpstreamTlsConfig upstreamTls(Fields upstream, boolean https) {
    Optional<Fields> f = upstream.fields("tls", UPSTREAM_TLS);
    if (f.isEmpty()) return UpstreamTlsConfig.defaults();
    Fields t = f.get();
    if (!https) {
      reader.problems.add(t.line(), t.path, "applies only to https:// urls");
      return UpstreamTlsConfig.defaults();
    }
    Optional<Path> ca = certificates(t, "ca");
    Optional<Path> cert = certificates(t, "cert");
    Optional<Path> key = file(t, "key");
    if (t.has("cert") != t.has("key")) {
      reader.problems.add(t.line(), t.pathOf(t.has("cert") ? "key" : "cert"), "cert and key go together (the gateway's client certificate)");
    }
    Optional<String> serverName = t.text("server_name").map(s -> s.toLowerCase(Locale.ROOT));
    serverName.ifPresent(s -> {
      if (!Syntax.isBindHost(s) || s.contains(":")) {
        reader.problems.add(t.node("server_name").get(), t.pathOf("server_name"), Reader.shown(t.node("server_name").get()) + " is not a host name");
      }
    });
    return new UpstreamTlsConfig(ca, cert, key, serverName);
  }

  /**
   * A {@code sign} mapping at {@code path}; empty when it is broken (reported). {@code protectedHeaders}
   * may not carry an identity token.
   */
  Optional<SignConfig> sign(Node node, String path, List<String> protectedHeaders) {
    Optional<Fields> f = reader.fields(node, path, SIGN);
    if (f.isEmpty()) return Optional.empty();
    Fields s = f.get();
    s.require("mode");
    Optional<Node.Scalar> modeNode = s.scalar("mode");
    if (modeNode.isEmpty()) return Optional.empty();
    SignConfig.Mode mode;
    switch (modeNode.get().text()) {
      case "none" -> mode = SignConfig.Mode.NONE;
      case "http_signature" -> mode = SignConfig.Mode.HTTP_SIGNATURE;
      case "identity_token" -> mode = SignConfig.Mode.IDENTITY_TOKEN;
      default -> {
        reader.problems.add(modeNode.get(), s.pathOf("mode"), "expected none, http_signature or identity_token, got " + modeNode.get().shown());
        return Optional.empty();
      }
    }
    int before = reader.problems.size();
    if (mode == SignConfig.Mode.NONE) {
      for (String k : List.of("algorithm", "keys", "header", "lifetime", "content_digest")) {
        if (s.has(k)) reader.problems.add(s.node(k).get(), s.pathOf(k), "mode none takes no " + k);
      }
      return reader.problems.size() == before ? Optional.of(SignConfig.none()) : Optional.empty();
    }
    boolean token = mode == SignConfig.Mode.IDENTITY_TOKEN;
    if (!token) {
      for (String k : List.of("header", "lifetime")) {
        if (s.has(k)) reader.problems.add(s.node(k).get(), s.pathOf(k), "applies only to mode identity_token");
      }
    } else if (s.has("content_digest")) {
      reader.problems.add(s.node("content_digest").get(), s.pathOf("content_digest"), "applies only to mode http_signature");
    }
    OptionalLong digestMaxBody = OptionalLong.empty();
    Optional<Fields> digest = token ? Optional.empty() : s.fields("content_digest", CONTENT_DIGEST);
    if (digest.isPresent()) {
      digestMaxBody = OptionalLong.of(digest.get().size("max_body", 1, SignConfig.LARGEST_DIGEST_MAX_BODY)
          .orElse(SignConfig.DEFAULT_DIGEST_MAX_BODY));
    }
    List<String> algorithms = token ? List.of("EdDSA", "ES256") : List.of("hmac-sha256", "ed25519");
    s.require("algorithm");
    Optional<String> algorithm = s.scalar("algorithm").flatMap(a -> {
      if (algorithms.contains(a.text())) return Optional.of(a.text());
      reader.problems.add(a, s.pathOf("algorithm"), "expected " + String.join(" or ", algorithms) + " with mode "
          + modeNode.get().text() + ", got " + a.shown());
      return Optional.empty();
    });
    s.require("keys");
    List<SignConfig.Key> keys = new ArrayList<>();
    Optional<List<Node>> items = s.list("keys");
    if (items.isPresent() && items.get().isEmpty()) reader.problems.add(s.node("keys").get(), s.pathOf("keys"), "must not be empty");
    Set<String> ids = new HashSet<>();
    boolean hmac = algorithm.map(a -> a.equals("hmac-sha256")).orElse(false);
    items.ifPresent(list -> {
      for (int i = 0; i < list.size(); i++) {
        String kp = s.pathOf("keys") + "[" + i + "]";
        Optional<Fields> kf = reader.fields(list.get(i), kp, KEY);
        if (kf.isEmpty()) continue;
        key(kf.get(), kp, hmac, algorithm.isPresent(), ids).ifPresent(keys::add);
      }
    });
    String header = SignConfig.DEFAULT_HEADER;
    Optional<Node.Scalar> h = token ? s.scalar("header") : Optional.empty();
    if (h.isPresent()) {
      header = h.get().text();
      if (!Syntax.isToken(header)) {
        reader.problems.add(h.get(), s.pathOf("header"), h.get().shown() + " is not a valid header name");
      } else if (HeaderRules.protectedBy(header, protectedHeaders).isPresent()) {
        reader.problems.add(h.get(), s.pathOf("header"), h.get().shown() + " is a header the gateway needs for framing, routing,"
            + " forwarding or credentials");
      }
    }
    Duration lifetime = token ? s.duration("lifetime", true).orElse(Duration.ofSeconds(30)) : Duration.ofSeconds(30);
    if (token && lifetime.compareTo(Duration.ofSeconds(60)) > 0) {
      reader.problems.add(s.node("lifetime").get(), s.pathOf("lifetime"), "must be at most 60s (identity tokens are short-lived)");
    }
    if (token && lifetime.toMillis() % 1000 != 0) {
      reader.problems.add(s.node("lifetime").get(), s.pathOf("lifetime"), "must be whole seconds (JWT times are seconds)");
    }
    if (reader.problems.size() != before || algorithm.isEmpty()) return Optional.empty();
    return Optional.of(new SignConfig(mode, algorithm.get(), keys, header, lifetime, digestMaxBody));
  }

  private Optional<SignConfig.Key> key(Fields k, String path, boolean hmac, boolean algorithmKnown, Set<String> ids) {
    k.require("id");
    Optional<String> id = k.has("id") && k.literal("id") ? k.text("id") : Optional.empty();
    id.ifPresent(i -> {
      if (!i.matches("[A-Za-z0-9_.:-]+")) {
        reader.problems.add(k.node("id").get(), k.pathOf("id"), "'" + i + "' is not a valid key id (letters, digits, '_', '.', ':', '-')");
      } else if (!ids.add(i)) {
        reader.problems.add(k.node("id").get(), k.pathOf("id"), "key id '" + i + "' is used twice");
      }
    });
    if (!algorithmKnown) return Optional.empty();
    String wanted = hmac ? "secret" : "private_key";
    String other = hmac ? "private_key" : "secret";
    if (k.has(other)) {
      reader.problems.add(k.node(other).get(), k.pathOf(other), hmac
          ? "hmac-sha256 takes a secret, not a private_key"
          : "this algorithm signs with a private_key, not a secret");
      return Optional.empty();
    }
    if (!k.has(wanted)) {
      reader.problems.add(k.line(), k.pathOf(wanted), "is required");
      return Optional.empty();
    }
    if (hmac) {
      // Messages here never include the value, not even its length.
      Optional<Secret> secret = k.scalar("secret").flatMap(sc -> {
        if (sc.text().getBytes(StandardCharsets.UTF_8).length < 32) {
          reader.problems.add(sc, k.pathOf("secret"), "must be at least 32 bytes");
          return Optional.empty();
        }
        return Optional.of(new Secret(sc.text()));
      });
      if (id.isEmpty() || secret.isEmpty()) return Optional.empty();
      return Optional.of(new SignConfig.Key(id.get(), Optional.empty(), secret, path));
    }
    Optional<Path> file = file(k, "private_key");
    if (id.isEmpty() || file.isEmpty()) return Optional.empty();
    return Optional.of(new SignConfig.Key(id.get(), file, Optional.empty(), path));
  }

  /** A readable file at {@code key}, relative to the config's directory. */
  private Optional<Path> file(Fields f, String key) {
    Optional<Node> node = f.node(key);
    Optional<String> text = f.text(key);
    if (node.isEmpty() || text.isEmpty()) return Optional.empty();
    return reader.readableFile(node.get(), f.pathOf(key), text.get(), baseDir);
  }

  /** A file of one or more PEM certificates. */
  private Optional<Path> certificates(Fields f, String key) {
    Optional<Node> node = f.node(key);
    Optional<String> text = f.text(key);
    if (node.isEmpty() || text.isEmpty()) return Optional.empty();
    return reader.certificateFile(node.get(), f.pathOf(key), text.get(), baseDir);
  }
}
