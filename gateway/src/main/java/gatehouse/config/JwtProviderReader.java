package gatehouse.config;

import gatehouse.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code auth.jwt}: the list of trusted token issuers. Names and issuers are unique. */
final class JwtProviderReader {
  static final List<String> KEY_SOURCES = List.of("jwks_uri", "discovery", "jwks_file", "public_key_pem", "secret");
  /** The JWS algorithms a provider may allow: exactly those the verifier implements. */
  public static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512");
  /** Names users write that the verifier does not implement, with what to do instead. */
  private static final Map<String, String> NOT_SUPPORTED = Map.of(
      "ES256K", "ES256K (secp256k1) is not supported: the JDK has no secp256k1",
      "Ed25519", "write EdDSA: Ed25519 tokens carry alg EdDSA (RFC 8037)");
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
  static final Shape.Obj SHAPE = Shape.obj("A trusted token issuer, with exactly one key source: jwks_uri, discovery: true,"
          + " jwks_file, public_key_pem or secret.",
      Shape.key("name", Shape.text("[A-Za-z0-9_.-]+"), "Policies refer to it (providers: [name]); unique, written out.").required(),
      Shape.key("issuer", Shape.text(), "Must equal the token's iss; unique.").required(),
      Shape.key("audiences", Shape.listOf(Shape.text()), "The token's aud must contain one of these. Default: not checked."),
      Shape.key("jwks_uri", Shape.text(), "Key source: a remote JWK set (https; http only to a loopback host)."),
      Shape.key("discovery", Shape.flag(), "Key source: true reads {issuer}/.well-known/openid-configuration. Default false."),
      Shape.key("jwks_file", Shape.text(), "Key source: a JWK set on disk, relative to the config file's directory."),
      Shape.key("public_key_pem", Shape.text(), "Key source: one PEM public key (RSA, EC or Ed25519)."),
      Shape.key("secret", Shape.text(), "Key source: an HMAC secret of at least 32 bytes; keep it in the environment."),
      Shape.key("algorithms", Shape.nonEmptyListOf(Shape.choice(ALGORITHMS)), "Allowed JWS algorithms. Default: those that fit the key;"
          + " never none."),
      Shape.key("clock_skew", Shape.span(), "Leeway for exp, nbf and iat; at most 10m. Default 60s."),
      Shape.key("required_claims", Shape.listOf(Shape.text()), "Claims that must be present; exp always is."),
      Shape.key("claims", HeaderRules.CLAIMS, "Claim path -> header; replaces identity.claims for this provider."),
      Shape.key("roles_claim", ClaimRulesReader.ROLES_CLAIM, "Where roles are read from: one claim path, or a list whose roles"
          + " are joined. Default role."),
      Shape.key("type", Shape.text(), "The required typ header, e.g. at+jwt. Default: not checked."),
      Shape.key("max_token_size", Shape.size(256, 1 << 20), "Longer tokens are refused unparsed. Default 8192."),
      Shape.key("jwks_min_refresh", Shape.positiveSpan(), "Remote key sets only: an unknown kid fetches at most once per this;"
          + " at least 1s. Default 30s."),
      Shape.key("jwks_stale_max", Shape.span(), "Remote key sets only: the last good key set serves this long while fetches fail."
          + " Default 24h."),
      Shape.key("ca", Shape.text(), "Remote key sets only: PEM CA certificates trusted for the key endpoint, besides the system store."),
      Shape.key("cache", Shape.flag(), "Whether verified tokens are cached. Default true."),
      Shape.key("allowed_clients", ClaimRulesReader.ALLOWED_CLIENTS, "azp (else client_id) must be one of these. Default: not checked."),
      Shape.key("max_token_lifetime", Shape.positiveSpan(), "Refuse exp - iat (or exp - now) above this. Default: not checked."))
      .named("jwt_provider");
  private static final String CLEAR_KEYS = "keys fetched in the clear could be replaced in transit";

  private final Reader reader;
  private final Path baseDir;
  private final List<String> protectedHeaders;

  JwtProviderReader(Reader reader, Path baseDir, List<String> protectedHeaders) {
    this.reader = reader;
    this.baseDir = baseDir;
    this.protectedHeaders = protectedHeaders;
  }

  /** Every provider that reads cleanly; {@code names} gets every name given, valid or not. */
  List<JwtProviderConfig> readAll(Node node, String path, Set<String> names) {
    List<JwtProviderConfig> out = new ArrayList<>();
    Optional<List<Node>> items = reader.list(node, path);
    if (items.isEmpty()) return out;
    Map<String, Integer> nameLines = new HashMap<>();
    Map<String, String> issuerOwners = new HashMap<>();
    for (int i = 0; i < items.get().size(); i++) {
      String p = path + "[" + i + "]";
      Optional<Fields> f = reader.fields(items.get().get(i), p, SHAPE);
      if (f.isEmpty()) continue;
      Optional<String> name = f.get().text("name").filter(n -> f.get().literal("name"));
      f.get().require("name");
      name.ifPresent(n -> {
        names.add(n);
        if (!n.matches("[A-Za-z0-9_.-]+")) {
          reader.problems.add(f.get().node("name").get(), f.get().pathOf("name"),
              Reader.shown(f.get().node("name").get()) + " is not a valid provider name (letters, digits, '_', '.', '-')");
        }
        Integer first = nameLines.putIfAbsent(n, f.get().node("name").get().line());
        if (first != null) {
          reader.problems.add(f.get().node("name").get(), f.get().pathOf("name"),
              "provider name " + Reader.shown(f.get().node("name").get()) + " is already used (line " + first + ")");
        }
      });
      f.get().require("issuer");
      f.get().text("issuer").ifPresent(iss -> {
        Node issuerNode = f.get().node("issuer").get();
        String owner = issuerOwners.putIfAbsent(iss, p + " (line " + issuerNode.line() + ")");
        if (owner != null) {
          reader.problems.add(issuerNode, f.get().pathOf("issuer"),
              "issuer " + Reader.shown(issuerNode) + " is already trusted by " + owner);
        }
      });
      provider(f.get(), name, p).ifPresent(out::add);
    }
    return out;
  }

  private Optional<JwtProviderConfig> provider(Fields f, Optional<String> name, String path) {
    Optional<KeySourceConfig> keys = keySource(f, path);
    Set<String> algorithms = algorithms(f, keys);
    Duration skew = f.duration("clock_skew", false).orElse(Duration.ofSeconds(60));
    if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
      reader.problems.add(f.node("clock_skew").get(), f.pathOf("clock_skew"),
          "must be at most 10m (a larger leeway keeps expired tokens alive)");
    }
    Map<String, String> claims = f.node("claims")
        .flatMap(n -> HeaderRules.claims(reader, n, f.pathOf("claims"), protectedHeaders)).orElse(Map.of());
    int maxToken = f.size("max_token_size", 256, 1 << 20).map(Long::intValue).orElse(8192);
    Optional<String> issuer = f.text("issuer");
    JwtProviderConfig.RemoteKeys remote = remoteKeys(f, keys);
    List<String> rolesClaims = ClaimRulesReader.rolesClaims(reader, f);
    f.node("required_claims").ifPresent(n -> ClaimPaths.check(reader, n, f.pathOf("required_claims")));
    TokenRules rules = ClaimRulesReader.tokenRules(reader, f);
    if (name.isEmpty() || issuer.isEmpty() || keys.isEmpty()) return Optional.empty();
    return Optional.of(new JwtProviderConfig(
        name.get(),
        issuer.get(),
        f.texts("audiences").orElse(List.of()),
        keys.get(),
        algorithms,
        skew,
        f.texts("required_claims").orElse(List.of()),
        claims,
        rolesClaims,
        f.text("type"),
        maxToken,
        remote,
        f.bool("cache").orElse(true),
        rules));
  }

  /** {@code jwks_min_refresh}, {@code jwks_stale_max}, {@code ca}: only for a remote key source. */
  private JwtProviderConfig.RemoteKeys remoteKeys(Fields f, Optional<KeySourceConfig> keys) {
    JwtProviderConfig.RemoteKeys defaults = JwtProviderConfig.RemoteKeys.defaults();
    boolean remote = keys.map(k -> k instanceof KeySourceConfig.JwksUri || k instanceof KeySourceConfig.Discovery).orElse(true);
    for (String k : List.of("jwks_min_refresh", "jwks_stale_max", "ca")) {
      if (f.has(k) && !remote) {
        reader.problems.add(f.node(k).get(), f.pathOf(k), "applies only to jwks_uri or discovery key sources");
      }
    }
    Duration minRefresh = f.duration("jwks_min_refresh", true).orElse(defaults.minRefresh());
    if (minRefresh.compareTo(Duration.ofSeconds(1)) < 0) {
      reader.problems.add(f.node("jwks_min_refresh").get(), f.pathOf("jwks_min_refresh"),
          "must be at least 1s (it bounds how often unknown kids can make the gateway call the identity provider)");
    }
    Duration staleMax = f.duration("jwks_stale_max", false).orElse(defaults.staleMax());
    Optional<Path> ca = f.node("ca").flatMap(n -> f.text("ca").flatMap(t -> reader.certificateFile(n, f.pathOf("ca"), t, baseDir)));
    return new JwtProviderConfig.RemoteKeys(minRefresh, staleMax, ca);
  }

  private Optional<KeySourceConfig> keySource(Fields f, String path) {
    List<String> given = new ArrayList<>();
    for (String k : KEY_SOURCES) {
      if (f.has(k) && !(k.equals("discovery") && f.bool("discovery").equals(Optional.of(false)))) given.add(k);
    }
    List<Optional<KeySourceConfig>> read = new ArrayList<>();
    for (String k : given) read.add(oneKeySource(f, k));
    if (given.isEmpty()) {
      reader.problems.add(f.line(), path, "needs a key source: one of " + String.join(", ", KEY_SOURCES));
      return Optional.empty();
    }
    if (given.size() > 1) {
      reader.problems.add(f.line(), path, "has more than one key source (" + String.join(", ", given)
          + "); give exactly one of " + String.join(", ", KEY_SOURCES));
      return Optional.empty();
    }
    return read.get(0);
  }

  private Optional<KeySourceConfig> oneKeySource(Fields f, String key) {
    Node node = f.node(key).get();
    String path = f.pathOf(key);
    switch (key) {
      case "jwks_uri":
        return f.scalar(key).flatMap(s -> reader.secureUrl(s, path, CLEAR_KEYS)).map(KeySourceConfig.JwksUri::new);
      case "discovery": {
        Optional<Node.Scalar> issuer = f.scalar("issuer");
        Optional<String> problem = issuer.filter(i -> !i.text().isEmpty()).flatMap(i -> Reader.secureUrlProblem(i, CLEAR_KEYS));
        if (problem.isPresent()) {
          reader.problems.add(issuer.get(), f.pathOf("issuer"), "discovery needs an https issuer URL, since keys"
              + " are found at {issuer}/.well-known/openid-configuration: " + problem.get());
          return Optional.empty();
        }
        return Optional.of(new KeySourceConfig.Discovery());
      }
      case "jwks_file":
        return f.text(key).flatMap(t -> reader.readableFile(node, path, t, baseDir))
            .flatMap(file -> reader.parsed(node, path, () -> new KeySourceConfig.JwksFile(file)));
      case "public_key_pem":
        return f.text(key).flatMap(t -> reader.readableFile(node, path, t, baseDir))
            .flatMap(file -> reader.parsed(node, path, () -> new KeySourceConfig.PublicKeyPem(file)));
      case "secret":
        // Messages here never include the value, not even its length.
        return f.scalar(key).flatMap(s -> {
          if (s.text().getBytes(StandardCharsets.UTF_8).length < 32) {
            reader.problems.add(node, path, "must be at least 32 bytes (RFC 7518 section 3.2)");
            return Optional.empty();
          }
          return Optional.of(new KeySourceConfig.HmacSecret(new Secret(s.text())));
        });
      default:
        throw new AssertionError(key);
    }
  }

  /**
   * HMAC algorithms only with {@code secret}, and never with public keys: accepting HS256 where
   * an RSA key is configured is the classic algorithm-confusion attack.
   */
  private Set<String> algorithms(Fields f, Optional<KeySourceConfig> keys) {
    Set<String> out = new LinkedHashSet<>();
    Optional<List<Node>> items = f.list("algorithms");
    if (items.isEmpty()) return out;
    boolean hmac = keys.map(k -> k instanceof KeySourceConfig.HmacSecret).orElse(f.has("secret"));
    for (int i = 0; i < items.get().size(); i++) {
      Node item = items.get().get(i);
      String path = f.pathOf("algorithms") + "[" + i + "]";
      Optional<String> alg = reader.text(item, path);
      if (alg.isEmpty()) continue;
      String a = alg.get();
      if (a.equalsIgnoreCase("none")) {
        reader.problems.add(item, path, "'none' is never accepted (it means an unsigned token)");
      } else if (NOT_SUPPORTED.containsKey(a)) {
        reader.problems.add(item, path, NOT_SUPPORTED.get(a));
      } else if (!ALGORITHMS.contains(a)) {
        reader.problems.add(item, path, "unknown algorithm " + Reader.shown(item) + Suggestions.closest(a, ALGORITHMS)
            .map(c -> " (did you mean '" + c + "'?)").orElse(" (expected one of: " + String.join(", ", ALGORITHMS) + ")"));
      } else if (a.startsWith("HS") != hmac) {
        reader.problems.add(item, path, hmac
            ? a + " needs a public key source (jwks_uri, discovery, jwks_file, public_key_pem), not secret"
            : a + " is an HMAC algorithm and needs secret; accepting it with public keys invites algorithm confusion");
      } else {
        out.add(a);
        if (hmac && keys.isPresent()) checkSecretLength(f, a, (KeySourceConfig.HmacSecret) keys.get());
      }
    }
    if (items.get().isEmpty()) {
      reader.problems.add(f.node("algorithms").get(), f.pathOf("algorithms"),
          "must not be empty (leave it out to allow the algorithms that fit the key)");
    }
    return out;
  }

  /** RFC 7518 section 3.2: the key must be at least as long as the hash output. */
  private void checkSecretLength(Fields f, String alg, KeySourceConfig.HmacSecret secret) {
    int needed = Integer.parseInt(alg.substring(2)) / 8;
    if (needed > 32 && secret.secret().reveal().getBytes(StandardCharsets.UTF_8).length < needed) {
      reader.problems.add(f.node("secret").get(), f.pathOf("secret"),
          "must be at least " + needed + " bytes for " + alg + " (RFC 7518 section 3.2)");
    }
  }
}
