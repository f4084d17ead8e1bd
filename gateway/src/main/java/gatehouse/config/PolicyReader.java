package gatehouse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code policy:} and {@code default_policy:}. A name ({@code public}, {@code jwt}, {@code
 * api_key}, {@code any}) or a mapping with exactly one of those keys holding its requirements.
 * Provider names are checked against {@code auth.jwt} and {@code auth.introspection}; no providers
 * at all is allowed (every bearer token is then refused).
 */
final class PolicyReader {
  static final List<String> KINDS = List.of("public", "jwt", "api_key", "mtls", "any");
  private static final String EXPECTED = " (expected " + String.join(", ", KINDS) + ")";
  static final Shape.Obj JWT = Shape.obj("Requires a bearer token from one of the providers, with one of the roles and all of the scopes.",
      Shape.key("providers", Shape.listOf(Shape.text()), "Names from auth.jwt or auth.introspection. Default: any of them."),
      Shape.key("roles", Shape.listOf(Shape.text()), "The identity must have one of these roles. Default: no role needed."),
      Shape.key("scopes", Shape.listOf(Shape.text()), "The token must have all of these scopes."));
  static final Shape.Obj API_KEY = Shape.obj("Requires an API key that has all of the scopes.",
      Shape.key("scopes", Shape.listOf(Shape.text()), "The key must have all of these scopes."));
  static final Shape.Obj MTLS = Shape.obj("Requires a client certificate that chains to listen.tls.client_ca.",
      Shape.key("subjects", Shape.nonEmptyListOf(Shape.text()), "The certificate's subject or a URI or DNS name of it must be one"
          + " of these. Default: every certificate client_ca vouches for."));
  static final Shape.Obj ANY = Shape.obj("Accepts any one of the credentials given, each with its own requirements.",
      Shape.key("jwt", JWT, JWT.description()),
      Shape.key("api_key", API_KEY, API_KEY.description()),
      Shape.key("mtls", MTLS, MTLS.description()));
  /** A name, or a mapping with one of the names (but public) holding its requirements. */
  static final Shape.Named SHAPE = Shape.named("policy", "Who may pass: public, jwt, api_key, mtls or any, or a mapping with one"
          + " of those (but public) holding its requirements, e.g. {jwt: {roles: [admin]}}.",
      Shape.anyOf(Shape.choice(KINDS), Shape.obj("A policy with requirements: exactly one key.",
          Shape.key("jwt", JWT, JWT.description()),
          Shape.key("api_key", API_KEY, API_KEY.description()),
          Shape.key("mtls", MTLS, MTLS.description()),
          Shape.key("any", ANY, ANY.description())).singleKey()));

  private final Reader reader;
  private final Set<String> providers;
  private final boolean clientCertificates;

  /** {@code clientCertificates}: whether {@code listen.tls.client_ca} is configured (mtls needs it). */
  PolicyReader(Reader reader, Set<String> providers, boolean clientCertificates) {
    this.reader = reader;
    this.providers = providers;
    this.clientCertificates = clientCertificates;
  }

  Optional<Policy> read(Node node, String path) {
    if (node instanceof Node.Scalar s) {
      switch (s.text()) {
        case "public":
          return Optional.of(new Policy.Public());
        case "jwt":
          return Optional.of(Policy.Jwt.any());
        case "api_key":
          return Optional.of(new Policy.ApiKey(Set.of()));
        case "any":
          return Optional.of(new Policy.Any(Policy.Jwt.any(), new Policy.ApiKey(Set.of())));
        case "mtls":
          return needsClientCa(node, path) ? Optional.of(new Policy.Mtls(Set.of())) : Optional.empty();
        default:
          reader.problems.add(node, path, "unknown policy " + s.shown() + EXPECTED);
          return Optional.empty();
      }
    }
    if (node instanceof Node.Mapping m) return mapping(m, path);
    if (!(node instanceof Node.Invalid)) {
      reader.problems.add(node, path, "expected a policy name (public, jwt, api_key, mtls, any) or a mapping"
          + " with one of those keys, got " + node.kind());
    }
    return Optional.empty();
  }

  private Optional<Policy> mapping(Node.Mapping m, String path) {
    if (m.entries().size() != 1) {
      List<String> keys = new ArrayList<>();
      m.entries().forEach(e -> keys.add(e.key()));
      String found = keys.isEmpty() ? "none" : String.join(", ", keys);
      reader.problems.add(m, path, "a policy mapping takes exactly one key: public, jwt, api_key, mtls or any (found "
          + found + "; use any: {jwt: ..., api_key: ...} to accept either credential)");
      return Optional.empty();
    }
    Node.Entry e = m.entries().get(0);
    String inner = path + "." + e.key();
    switch (e.key()) {
      case "public":
        reader.problems.add(e.line(), inner, "public takes no options (write policy: public)");
        return Optional.empty();
      case "jwt":
        return jwt(e.value(), inner).map(p -> p);
      case "api_key":
        return apiKey(e.value(), inner).map(p -> p);
      case "mtls":
        return mtls(e.value(), inner).map(p -> p);
      case "any": {
        Optional<Fields> f = reader.fields(e.value(), inner, ANY);
        if (f.isEmpty()) return Optional.empty();
        Optional<Policy.Jwt> jwt = f.get().node("jwt").isPresent()
            ? jwt(f.get().node("jwt").get(), f.get().pathOf("jwt")) : Optional.of(Policy.Jwt.any());
        Optional<Policy.ApiKey> apiKey = f.get().node("api_key").isPresent()
            ? apiKey(f.get().node("api_key").get(), f.get().pathOf("api_key"))
            : Optional.of(new Policy.ApiKey(Set.of()));
        Optional<Policy.Mtls> mtls = f.get().node("mtls").isPresent()
            ? mtls(f.get().node("mtls").get(), f.get().pathOf("mtls")) : Optional.empty();
        if (jwt.isEmpty() || apiKey.isEmpty() || (f.get().has("mtls") && mtls.isEmpty())) return Optional.empty();
        return Optional.of(new Policy.Any(jwt.get(), apiKey.get(), mtls));
      }
      default:
        reader.problems.add(e.line(), path, "unknown policy '" + e.key() + "'" + EXPECTED);
        return Optional.empty();
    }
  }

  private Optional<Policy.Jwt> jwt(Node node, String path) {
    Optional<Fields> f = reader.fields(node, path, JWT);
    if (f.isEmpty()) return Optional.empty();
    List<String> names = new ArrayList<>();
    f.get().list("providers").ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        Node item = items.get(i);
        String itemPath = f.get().pathOf("providers") + "[" + i + "]";
        reader.text(item, itemPath).ifPresent(name -> {
          if (providers.contains(name)) {
            names.add(name);
          } else {
            String known = providers.isEmpty() ? "no providers are configured in auth.jwt or auth.introspection"
                : "configured: " + String.join(", ", providers.stream().sorted().toList());
            String hint = Suggestions.closest(name, providers).map(c -> "did you mean '" + c + "'?").orElse(known);
            reader.problems.add(item, itemPath,
                "unknown token provider " + ((Node.Scalar) item).shown() + " (" + hint + ")");
          }
        });
      }
    });
    List<String> roles = f.get().texts("roles").orElse(List.of());
    List<String> scopes = f.get().texts("scopes").orElse(List.of());
    return Optional.of(new Policy.Jwt(Set.copyOf(names), Set.copyOf(roles), Set.copyOf(scopes)));
  }

  private Optional<Policy.Mtls> mtls(Node node, String path) {
    Optional<Fields> f = reader.fields(node, path, MTLS);
    if (f.isEmpty() || !needsClientCa(node, path)) return Optional.empty();
    Optional<List<String>> subjects = f.get().texts("subjects");
    if (subjects.isPresent() && subjects.get().isEmpty()) {
      reader.problems.add(f.get().node("subjects").get(), f.get().pathOf("subjects"), "must not be empty (leave it out to admit"
          + " every certificate client_ca vouches for)");
      return Optional.empty();
    }
    return Optional.of(new Policy.Mtls(Set.copyOf(subjects.orElse(List.of()))));
  }

  private boolean needsClientCa(Node node, String path) {
    if (clientCertificates) return true;
    reader.problems.add(node, path, "mtls needs listen.tls.client_ca: client certificates are asked for only then");
    return false;
  }

  private Optional<Policy.ApiKey> apiKey(Node node, String path) {
    Optional<Fields> f = reader.fields(node, path, API_KEY);
    return f.map(fields -> new Policy.ApiKey(Set.copyOf(fields.texts("scopes").orElse(List.of()))));
  }
}
