package gatehouse.config;

import gatehouse.secret.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code auth.introspection}: OAuth 2.0 authorization servers asked about bearer tokens (RFC
 * 7662). Names are unique across {@code auth.jwt} and {@code auth.introspection}, since policies
 * name either; an issuer has one authority, a JWT provider or an introspection provider.
 */
final class IntrospectionReader {
  static final Shape.Obj SHAPE = Shape.obj("An OAuth 2.0 authorization server asked whether a bearer token is active (RFC 7662).",
      Shape.key("name", Shape.text("[A-Za-z0-9_.-]+"), "Policies name it like a JWT provider; unique across auth.jwt and"
          + " auth.introspection, written out.").required(),
      Shape.key("endpoint", Shape.text(), "The introspection endpoint (https; http only to a loopback host).").required(),
      Shape.key("client_id", Shape.text(), "The gateway's client id at the authorization server.").required(),
      Shape.key("client_secret", Shape.text(), "Its secret; keep it in the environment.").required(),
      Shape.key("auth_method", Shape.choice(java.util.Arrays.stream(IntrospectionConfig.AuthMethod.values())
          .map(IntrospectionConfig.AuthMethod::configName).toList()), "Default client_secret_basic."),
      Shape.key("cache_ttl", Shape.span(), "Active answers are cached this long, never beyond the token's exp; 0s: not cached."
          + " Default 30s."),
      Shape.key("negative_cache_ttl", Shape.span(), "Inactive answers are cached this long; 0s: not cached. Default 5s."),
      Shape.key("cache_size", Shape.whole(1, 10_000_000), "Most answers held. Default 10000."),
      Shape.key("timeout", Shape.positiveSpan(), "Time allowed for the whole call. Default 2s."),
      Shape.key("audiences", Shape.listOf(Shape.text()), "The answer's aud must contain one of these. Default: not checked."),
      Shape.key("issuer", Shape.text(), "The answer's iss must equal it; required on every provider but the first."),
      Shape.key("claims", HeaderRules.CLAIMS, "Member path -> header; replaces identity.claims for this provider."),
      Shape.key("roles_claim", ClaimRulesReader.ROLES_CLAIM, "Where roles are read from, as for auth.jwt. Default role."),
      Shape.key("ca", Shape.text(), "PEM CA certificates trusted besides the system store."),
      Shape.key("breaker_failures", Shape.whole(1, 1000), "Consecutive failed calls that open the breaker. Default 5."),
      Shape.key("breaker_cooldown", Shape.positiveSpan(), "How long an open breaker answers 503 without calling. Default 30s."),
      Shape.key("clock_skew", Shape.span(), "Leeway for the answer's nbf and iat; at most 10m. Default 60s."),
      Shape.key("allowed_clients", ClaimRulesReader.ALLOWED_CLIENTS, "azp (else client_id) must be one of these. Default: not checked."),
      Shape.key("max_token_lifetime", Shape.positiveSpan(), "Refuse exp - iat (or exp - now) above this. Default: not checked."),
      Shape.key("stale_if_error", Shape.span(), "Serve an active answer this long past cache_ttl while the server fails; at most 1h."
          + " Default 0s."))
      .named("introspection_provider");
  static final Duration MAX_STALE_IF_ERROR = Duration.ofHours(1);
  private static final String CLEAR_TOKENS = "tokens and the client secret would cross the network in the clear";

  private final Reader reader;
  private final Path baseDir;
  private final List<String> protectedHeaders;

  IntrospectionReader(Reader reader, Path baseDir, List<String> protectedHeaders) {
    this.reader = reader;
    this.baseDir = baseDir;
    this.protectedHeaders = protectedHeaders;
  }

  /**
   * Every provider that reads cleanly. {@code names} holds the JWT providers' names on entry and
   * gets every introspection name given, valid or not, so policies can name both.
   */
  List<IntrospectionConfig> readAll(Node node, String path, Set<String> names, List<JwtProviderConfig> jwt) {
    List<IntrospectionConfig> out = new ArrayList<>();
    Optional<List<Node>> items = reader.list(node, path);
    if (items.isEmpty()) return out;
    Set<String> jwtNames = Set.copyOf(names);
    Map<String, Integer> nameLines = new HashMap<>();
    Map<String, String> issuerOwners = new HashMap<>();
    for (JwtProviderConfig p : jwt) issuerOwners.put(p.issuer(), "JWT provider '" + p.name() + "'");
    for (int i = 0; i < items.get().size(); i++) {
      String p = path + "[" + i + "]";
      Optional<Fields> f = reader.fields(items.get().get(i), p, SHAPE);
      if (f.isEmpty()) continue;
      Fields fields = f.get();
      fields.require("name");
      Optional<String> name = fields.text("name").filter(n -> fields.literal("name"));
      name.ifPresent(n -> {
        names.add(n);
        Node nameNode = fields.node("name").get();
        if (!n.matches("[A-Za-z0-9_.-]+")) {
          reader.problems.add(nameNode, fields.pathOf("name"),
              Reader.shown(nameNode) + " is not a valid provider name (letters, digits, '_', '.', '-')");
        } else if (jwtNames.contains(n)) {
          reader.problems.add(nameNode, fields.pathOf("name"), "provider name " + Reader.shown(nameNode)
              + " is already used in auth.jwt (policies name providers of both kinds)");
        } else {
          Integer first = nameLines.putIfAbsent(n, nameNode.line());
          if (first != null) {
            reader.problems.add(nameNode, fields.pathOf("name"),
                "provider name " + Reader.shown(nameNode) + " is already used (line " + first + ")");
          }
        }
      });
      fields.text("issuer").ifPresent(iss -> {
        Node issuerNode = fields.node("issuer").get();
        String owner = issuerOwners.putIfAbsent(iss, p + " (line " + issuerNode.line() + ")");
        if (owner != null) {
          reader.problems.add(issuerNode, fields.pathOf("issuer"), "issuer " + Reader.shown(issuerNode)
              + " is already trusted by " + owner + "; a token's iss must name one authority");
        }
      });
      if (i > 0 && !fields.has("issuer")) {
        reader.problems.add(fields.line(), fields.pathOf("issuer"), "is required on every provider but the first:"
            + " opaque tokens go to the first (" + path + "[0]), so this one is reached only by JWTs whose iss names it");
      }
      provider(fields, name).ifPresent(out::add);
    }
    return out;
  }

  private Optional<IntrospectionConfig> provider(Fields f, Optional<String> name) {
    f.require("endpoint");
    Optional<URI> endpoint = f.scalar("endpoint").flatMap(s -> reader.secureUrl(s, f.pathOf("endpoint"), CLEAR_TOKENS));
    f.require("client_id");
    Optional<String> clientId = f.text("client_id");
    f.require("client_secret");
    // Messages about the secret never include its value, not even its length.
    Optional<Secret> secret = f.text("client_secret").map(Secret::new);
    IntrospectionConfig.AuthMethod method = IntrospectionConfig.AuthMethod.CLIENT_SECRET_BASIC;
    Optional<Node.Scalar> m = f.scalar("auth_method");
    if (m.isPresent()) {
      Optional<IntrospectionConfig.AuthMethod> known = java.util.Arrays.stream(IntrospectionConfig.AuthMethod.values())
          .filter(a -> a.configName().equals(m.get().text())).findFirst();
      if (known.isEmpty()) {
        reader.problems.add(m.get(), f.pathOf("auth_method"),
            "unknown auth_method " + m.get().shown() + " (expected client_secret_basic or client_secret_post)");
      } else {
        method = known.get();
      }
    }
    Duration cacheTtl = f.duration("cache_ttl", false).orElse(Duration.ofSeconds(30));
    Duration negativeTtl = f.duration("negative_cache_ttl", false).orElse(Duration.ofSeconds(5));
    int cacheSize = f.integer("cache_size", 1, 10_000_000).orElse(10_000);
    Duration timeout = f.duration("timeout", true).orElse(Duration.ofSeconds(2));
    List<String> audiences = f.texts("audiences").orElse(List.of());
    Map<String, String> claims = f.node("claims")
        .flatMap(n -> HeaderRules.claims(reader, n, f.pathOf("claims"), protectedHeaders)).orElse(Map.of());
    List<String> rolesClaims = ClaimRulesReader.rolesClaims(reader, f);
    TokenRules rules = ClaimRulesReader.tokenRules(reader, f);
    Duration skew = f.duration("clock_skew", false).orElse(Duration.ofSeconds(60));
    if (skew.compareTo(JwtProviderReader.MAX_CLOCK_SKEW) > 0) {
      reader.problems.add(f.node("clock_skew").get(), f.pathOf("clock_skew"),
          "must be at most 10m (a larger leeway accepts tokens dated in the future)");
    }
    Optional<Path> ca = f.node("ca").isPresent() ? f.text("ca").flatMap(t -> reader.certificateFile(f.node("ca").get(), f.pathOf("ca"), t, baseDir)) : Optional.empty();
    boolean caBroken = f.has("ca") && ca.isEmpty();
    int breakerFailures = f.integer("breaker_failures", 1, 1000).orElse(5);
    Duration breakerCooldown = f.duration("breaker_cooldown", true).orElse(Duration.ofSeconds(30));
    Duration staleIfError = f.duration("stale_if_error", false).orElse(Duration.ZERO);
    if (staleIfError.compareTo(MAX_STALE_IF_ERROR) > 0) {
      // A revoked token keeps working for up to cache_ttl + stale_if_error during an outage: bounded.
      reader.problems.add(f.node("stale_if_error").get(), f.pathOf("stale_if_error"), "must be at most 1h");
      staleIfError = Duration.ZERO;
    }
    if (name.isEmpty() || endpoint.isEmpty() || clientId.isEmpty() || secret.isEmpty() || caBroken) return Optional.empty();
    return Optional.of(new IntrospectionConfig(name.get(), endpoint.get(), clientId.get(), secret.get(), method,
        cacheTtl, negativeTtl, cacheSize, timeout, audiences, f.text("issuer"), claims, rolesClaims, ca,
        breakerFailures, breakerCooldown, skew, rules, staleIfError));
  }
}
