package gatehouse.config;

import gatehouse.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The trust sections: {@code listen.tls}, {@code upstreams.<name>.tls} and {@code sign} (global or
 * per upstream). Files must exist and certificates must parse; private keys are parsed when the
 * gateway compiles the config (as JWT key files are), so {@code validate} reports them too.
 */
final class TrustReader {
  static final Shape.Obj LISTEN_TLS = Shape.obj("TLS on the public listener.",
      Shape.key("cert", Shape.text(), "PEM certificate chain, leaf first; re-read when it changes.").required(),
      Shape.key("key", Shape.text(), "The leaf's private key, PKCS#8 (or PKCS#1 RSA) PEM.").required(),
      Shape.key("client_ca", Shape.text(), "PEM CA certificates client certificates must chain to; mtls policies need it."),
      Shape.key("client_auth", Shape.choice("none", "request", "require"), "Whether a client certificate is asked for."
          + " Default request with client_ca, else none."));
  static final Shape.Obj UPSTREAM_TLS = Shape.obj("TLS to an https upstream.",
      Shape.key("ca", Shape.text(), "PEM CA certificates trusted for this upstream, instead of the system store."),
      Shape.key("cert", Shape.text(), "The gateway's client certificate chain (with key), for upstreams that require mTLS."),
      Shape.key("key", Shape.text(), "The PKCS#8 key of cert."),
      Shape.key("server_name", Shape.text(), "The name the upstream's certificate must carry, and the SNI sent. Default: the url's host."));
  static final Shape.Obj CONTENT_DIGEST = Shape.obj("http_signature only: bodies are digested (RFC 9530) and covered by the signature.",
      Shape.key("max_body", Shape.size(1, SignConfig.LARGEST_DIGEST_MAX_BODY), "Larger bodies answer 413. Default 1MiB."));
  private static final Shape.Obj KEY = Shape.obj("A signing key; the first in the list signs.",
      Shape.key("id", Shape.text("[A-Za-z0-9_.:-]+"), "The keyid / kid; unique.").required(),
      Shape.key("private_key", Shape.text(), "PKCS#8 PEM file (Ed25519, or EC P-256 for ES256), for ed25519, EdDSA and ES256."),
      Shape.key("secret", Shape.text(), "At least 32 bytes, for hmac-sha256; keep it in the environment."));
  static final Shape.Obj SIGN = Shape.obj("How the gateway proves a request to an upstream.",
      Shape.key("mode", Shape.choice("none", "http_signature", "identity_token"), "none takes no other key.").required(),
      Shape.key("algorithm", Shape.choice("hmac-sha256", "ed25519", "EdDSA", "ES256"),
          "hmac-sha256 or ed25519 for http_signature; EdDSA or ES256 for identity_token."),
      Shape.key("keys", Shape.nonEmptyListOf(KEY), "The first signs; keep the old one listed while rotating."),
      Shape.key("header", Shape.text(), "identity_token only: the header that carries it. Default Gatehouse-Identity."),
      Shape.key("lifetime", Shape.positiveSpan(), "identity_token only: whole seconds, at most 60s. Default 30s."),
      Shape.key("content_digest", CONTENT_DIGEST, CONTENT_DIGEST.description())).named("sign");

  private final Reader reader;
  private final Path baseDir;
  /** Every signing key id read so far, with its key and where it was first given. */
  private final Map<String, Map.Entry<PrivateKey, String>> signingKeys = new HashMap<>();

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
    Optional<Boolean> pair = reader.parsed(t.node("key").get(), t.pathOf("key"), () -> {
      KeyFiles.checkCertificateKey(bytes(cert.get()), bytes(key.get()));
      return true;
    });
    if (pair.isEmpty()) return Optional.empty();
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
    items.ifPresent(list -> {
      for (int i = 0; i < list.size(); i++) {
        String kp = s.pathOf("keys") + "[" + i + "]";
        Optional<Fields> kf = reader.fields(list.get(i), kp, KEY);
        if (kf.isEmpty()) continue;
        key(kf.get(), kp, algorithm, ids).ifPresent(keys::add);
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

  private Optional<SignConfig.Key> key(Fields k, String path, Optional<String> algorithm, Set<String> ids) {
    boolean hmac = algorithm.map(a -> a.equals("hmac-sha256")).orElse(false);
    k.require("id");
    Optional<String> id = k.has("id") && k.literal("id") ? k.text("id") : Optional.empty();
    id.ifPresent(i -> {
      if (!i.matches("[A-Za-z0-9_.:-]+")) {
        reader.problems.add(k.node("id").get(), k.pathOf("id"), "'" + i + "' is not a valid key id (letters, digits, '_', '.', ':', '-')");
      } else if (!ids.add(i)) {
        reader.problems.add(k.node("id").get(), k.pathOf("id"), "key id '" + i + "' is used twice");
      }
    });
    if (algorithm.isEmpty()) return Optional.empty();
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
    Node node = k.node("private_key").get();
    String kind = algorithm.get().equals("ES256") ? "ES256" : "Ed25519";
    Optional<PrivateKey> key = file.flatMap(f -> reader.parsed(node, k.pathOf("private_key"), () -> KeyFiles.privateKey(f, kind)));
    if (id.isEmpty() || key.isEmpty()) return Optional.empty();
    // One key id names one key in the published JWK set, whichever upstreams use it.
    Map.Entry<PrivateKey, String> first = signingKeys.putIfAbsent(id.get(), Map.entry(key.get(), k.pathOf("id") + " (line " + k.node("id").get().line() + ")"));
    if (first != null && !first.getKey().equals(key.get())) {
      reader.problems.add(k.node("id").get(), k.pathOf("id"), "key id '" + id.get() + "' names another key at " + first.getValue());
      return Optional.empty();
    }
    return Optional.of(new SignConfig.Key(id.get(), file, Optional.empty(), path));
  }

  /** A readable file at {@code key}, relative to the config's directory. */
  private Optional<Path> file(Fields f, String key) {
    Optional<Node> node = f.node(key);
    Optional<String> text = f.text(key);
    if (node.isEmpty() || text.isEmpty()) return Optional.empty();
    return reader.readableFile(node.get(), f.pathOf(key), text.get(), baseDir);
  }

  private static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A file of one or more PEM certificates. */
  private Optional<Path> certificates(Fields f, String key) {
    Optional<Node> node = f.node(key);
    Optional<String> text = f.text(key);
    if (node.isEmpty() || text.isEmpty()) return Optional.empty();
    return reader.certificateFile(node.get(), f.pathOf(key), text.get(), baseDir);
  }
}
