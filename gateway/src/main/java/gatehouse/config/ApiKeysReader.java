package gatehouse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code auth.api_keys}: where keys are read from ({@link ApiKeyExtractionConfig}) and where
 * they are kept ({@link ApiKeysConfig}). Secrets (the pepper, the admin token, a database password)
 * must come from the environment, so they never sit in a file that is checked in.
 */
final class ApiKeysReader {
  static final Shape.Obj ADMIN_API = Shape.obj("Key management on the admin listener (/keys); off without a token.",
      Shape.key("token", Shape.fromEnv(), "Bearer token for /keys, at least 32 characters, from the environment only."),
      Shape.key("allow_from", Shape.listOf(Shape.text()), "CIDRs of peers besides loopback that may call /keys."));
  static final Shape.Obj SHAPE = Shape.obj("API keys: where they are looked for, and where they are kept (only as hashes).",
      Shape.key("header", Shape.text(), "Request header that carries the key. Default X-API-Key."),
      Shape.key("query_param", Shape.text(), "Query parameter that carries the key; false turns it off. Default api_key."),
      Shape.key("store", Shape.text(), "sqlite:PATH or postgresql://[user[:password]@]host[:port]/database[?params]; a password"
          + " only from the environment. Default sqlite:data/gatehouse.db."),
      Shape.key("pool_size", Shape.whole(1, 100), "Database connections and worker threads. Default 4."),
      Shape.key("db_timeout", Shape.positiveSpan(), "Wait for a connection or a statement. Default 2s."),
      Shape.key("pepper", Shape.fromEnv(), "HMAC-SHA256 key for stored hashes, at least 32 characters, from the environment only."),
      Shape.key("cache_ttl", Shape.positiveSpan(), "How long a looked-up key is trusted without asking the store. Default 30s."),
      Shape.key("negative_cache_ttl", Shape.span(), "How long an unknown key is remembered; at most cache_ttl. Default 5s."),
      Shape.key("stale_if_error", Shape.span(), "While the store is down, cached keys work this long past cache_ttl. Default 5m."),
      Shape.key("last_used_interval", Shape.positiveSpan(), "Last-used times are written in one batch this often. Default 30s."),
      Shape.key("admin_api", ADMIN_API, ADMIN_API.description()));

  private final Reader reader;
  private final Path baseDir;

  ApiKeysReader(Reader reader, Path baseDir) {
    this.reader = reader;
    this.baseDir = baseDir;
  }

  /** Both halves of {@code auth.api_keys}; defaults when {@code section} is absent. */
  record Read(ApiKeyExtractionConfig extraction, ApiKeysConfig keys) {}

  Read read(Optional<Fields> section) {
    if (section.isEmpty()) return new Read(ApiKeyExtractionConfig.defaults(), ApiKeysConfig.defaults(baseDir));
    Fields f = section.get();
    ApiKeyExtractionConfig extraction = extraction(f);
    int pool = f.integer("pool_size", 1, 100).orElse(4);
    Duration timeout = f.duration("db_timeout", true).orElse(Duration.ofSeconds(2));
    KeyStoreConfig store = f.scalar("store").flatMap(s -> store(s, f.pathOf("store"), pool, timeout))
        .orElseGet(() -> sqlite(baseDir.resolve("data/gatehouse.db"), "sqlite:data/gatehouse.db", pool, timeout));
    Optional<String> pepper = secret(f, "pepper", 32);
    Duration ttl = f.duration("cache_ttl", true).orElse(ApiKeysConfig.DEFAULT_CACHE_TTL);
    Duration negative = f.duration("negative_cache_ttl", false).orElse(ApiKeysConfig.DEFAULT_NEGATIVE_CACHE_TTL);
    f.node("negative_cache_ttl").ifPresent(n -> {
      if (negative.compareTo(ttl) > 0) reader.problems.add(n, f.pathOf("negative_cache_ttl"), "must not be longer than cache_ttl");
    });
    Duration stale = f.duration("stale_if_error", false).orElse(ApiKeysConfig.DEFAULT_STALE_IF_ERROR);
    Duration lastUsed = f.duration("last_used_interval", true).orElse(ApiKeysConfig.DEFAULT_LAST_USED_INTERVAL);
    AdminApiConfig admin = f.fields("admin_api", ADMIN_API).map(this::adminApi).orElse(AdminApiConfig.off());
    return new Read(extraction, new ApiKeysConfig(store, pepper, ttl, negative, stale, lastUsed, admin));
  }

  static KeyStoreConfig sqlite(Path file, String display, int pool, Duration timeout) {
    Path absolute = file.toAbsolutePath().normalize();
    return new KeyStoreConfig("jdbc:sqlite:" + absolute, display, Optional.empty(), Optional.empty(), Optional.of(absolute),
        Optional.empty(), pool, timeout);
  }

  private ApiKeyExtractionConfig extraction(Fields f) {
    ApiKeyExtractionConfig d = ApiKeyExtractionConfig.defaults();
    String header = f.text("header").orElse(d.header());
    if (!Syntax.isToken(header)) {
      reader.problems.add(f.node("header").get(), f.pathOf("header"), Reader.shown(f.node("header").get()) + " is not a valid header name");
    } else if (HeaderRules.protectedBy(header, HeaderRules.PROTECTED).isPresent()) {
      reader.problems.add(f.node("header").get(), f.pathOf("header"), Reader.shown(f.node("header").get()) + " cannot carry API keys: the"
          + " gateway uses it for framing, routing, forwarding or other credentials");
    }
    Optional<String> query = d.queryParam();
    Optional<Node.Scalar> q = f.scalar("query_param");
    if (q.isPresent()) {
      String t = q.get().text();
      if (t.equals("false")) {
        query = Optional.empty();
      } else if (t.matches("[A-Za-z0-9._~-]*[A-Za-z0-9][A-Za-z0-9._~-]*")) {
        // A name is compared by its letters and digits (credential/CredentialCarriers): "_" alone
        // would match every parameter without one.
        query = Optional.of(t);
      } else {
        reader.problems.add(q.get(), f.pathOf("query_param"),
            q.get().shown() + " is not a valid query parameter name (letters, digits, '-', '.', '_', '~', with a letter or"
                + " digit; or false)");
      }
    }
    return new ApiKeyExtractionConfig(header, query);
  }

  /**
   * {@code sqlite:PATH} (relative to the config file's directory) or
   * {@code postgresql://[user[:password]@]host[:port]/database[?param=value&...]}.
   */
  private Optional<KeyStoreConfig> store(Node.Scalar s, String path, int pool, Duration timeout) {
    String text = s.text();
    String what = s.fromEnv() ? "the value" : s.shown();
    if (text.startsWith("sqlite:")) {
      String file = text.substring("sqlite:".length());
      if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:") || file.contains("?")) {
        reader.problems.add(s, path, what + " must name a database file: sqlite:PATH (relative to the config file's directory)");
        return Optional.empty();
      }
      return Optional.of(sqlite(baseDir.resolve(file), s.fromEnv() ? "sqlite" : text, pool, timeout));
    }
    if (!text.startsWith("postgresql://") && !text.startsWith("postgres://")) {
      reader.problems.add(s, path, what + " must be sqlite:PATH or postgresql://[user[:password]@]host[:port]/database");
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      reader.problems.add(s, path, what + " is not a valid URL");
      return Optional.empty();
    }
    String database = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (uri.getHost() == null || !database.matches("/[A-Za-z0-9_.-]+") || uri.getRawFragment() != null) {
      reader.problems.add(s, path, what + " must be postgresql://[user[:password]@]host[:port]/database");
      return Optional.empty();
    }
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = Optional.of(URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
      if (parts.length == 2) {
        if (!s.fromEnv()) {
          reader.problems.add(s, path, "a password must come from the environment, e.g. store: ${GATEHOUSE_KEY_STORE}");
          return Optional.empty();
        }
        password = Optional.of(URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      }
    }
    Optional<String> schema = Optional.empty();
    List<String> params = new ArrayList<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        if (pair.startsWith("currentSchema=")) {
          String value = pair.substring("currentSchema=".length());
          if (!value.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            reader.problems.add(s, path, "currentSchema must be one plain SQL identifier (letters, digits, '_')");
            return Optional.empty();
          }
          schema = Optional.of(value);
        }
        params.add(pair);
      }
    }
    String hostPort = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    String jdbc = "jdbc:postgresql://" + hostPort + database + (params.isEmpty() ? "" : "?" + String.join("&", params));
    String display = "postgresql://" + hostPort + database;
    return Optional.of(new KeyStoreConfig(jdbc, display, user, password, Optional.empty(), schema, pool, timeout));
  }

  /** A secret of at least {@code minLength} characters that must come from the environment; empty there means none. */
  private Optional<String> secret(Fields f, String key, int minLength) {
    Optional<Node.Scalar> s = f.scalar(key);
    if (s.isEmpty()) return Optional.empty();
    if (!s.get().fromEnv()) {
      reader.problems.add(s.get(), f.pathOf(key), "must come from the environment (write ${VARIABLE}), never from the file");
      return Optional.empty();
    }
    // ${VAR:-} lets one file serve environments with and without the secret: empty means unset.
    if (s.get().text().isEmpty()) return Optional.empty();
    if (s.get().text().length() < minLength) {
      reader.problems.add(s.get(), f.pathOf(key), "must be at least " + minLength + " characters");
      return Optional.empty();
    }
    return Optional.of(s.get().text());
  }

  private AdminApiConfig adminApi(Fields f) {
    Optional<String> token = secret(f, "token", 32);
    List<String> cidrs = new ArrayList<>();
    f.list("allow_from").ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        String path = f.pathOf("allow_from") + "[" + i + "]";
        Node item = items.get(i);
        reader.text(item, path).ifPresent(c -> {
          Optional<String> problem = Syntax.cidr(c);
          boolean fromEnv = item instanceof Node.Scalar sc && sc.fromEnv();
          problem.ifPresent(p -> reader.problems.add(item, path, Reader.shown(item) + " " + (fromEnv ? "is not a valid CIDR" : p)));
          if (problem.isEmpty()) cidrs.add(c);
        });
      }
    });
    if (token.isEmpty() && f.has("allow_from") && !f.has("token")) {
      reader.problems.add(f.line(), f.pathOf("token"), "is required when allow_from is set");
    }
    return new AdminApiConfig(token, cidrs);
  }
}
