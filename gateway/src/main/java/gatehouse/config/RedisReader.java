package gatehouse.config;

import gatehouse.secret.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the top-level {@code redis} mapping into a {@link RedisConfig}. One server is {@code url},
 * a Redis Cluster is {@code nodes}; the password comes from the environment only, and URLs carry
 * no user info, so no secret sits in the file or in a message.
 */
final class RedisReader {
  static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);
  static final Duration MAX_HEARTBEAT = Duration.ofMinutes(1);
  private static final Map<String, RedisConfig.Fallback> FALLBACKS = new LinkedHashMap<>();

  static {
    FALLBACKS.put("local", RedisConfig.Fallback.LOCAL);
    FALLBACKS.put("open", RedisConfig.Fallback.OPEN);
    FALLBACKS.put("closed", RedisConfig.Fallback.CLOSED);
  }

  static final Shape.Obj SHAPE = Shape.obj("Shared rate limits: several instances on one Redis or Redis Cluster. Without it each"
          + " instance keeps its own buckets.",
      Shape.key("url", Shape.text(), "One Redis server: redis://host[:port][/db]."),
      Shape.key("nodes", Shape.nonEmptyListOf(Shape.text()), "A Redis Cluster, by some of its nodes: redis://host[:port]."),
      Shape.key("user", Shape.text(), "An ACL user name. Default: the default user."),
      Shape.key("password", Shape.fromEnv(), "From the environment only (${VARIABLE}); empty means none."),
      Shape.key("key_prefix", Shape.text("[A-Za-z0-9_.:-]{1,64}"), "Put before every key the gateway writes. Default gatehouse:"),
      Shape.key("timeout", Shape.positiveSpan(), "The longest a rate-limit decision waits on Redis; at most 10s. Default 25ms."),
      Shape.key("fallback", Shape.choice(FALLBACKS.keySet()), "What decides while Redis does not answer. Default local."),
      Shape.key("heartbeat", Shape.positiveSpan(), "How often an instance tells Redis it is alive; 100ms to 1m. Default 1s."))
      .exactlyOne("url", "nodes");

  private final Reader reader;

  RedisReader(Reader reader) {
    this.reader = reader;
  }

  /** Empty when {@code section} is absent (no Redis: local limits) or has problems (reported). */
  Optional<RedisConfig> read(Optional<Fields> section) {
    if (section.isEmpty()) return Optional.empty();
    Fields f = section.get();
    int before = reader.problems.size();
    boolean cluster = f.has("nodes");
    List<String> endpoints = new ArrayList<>();
    if (f.has("url") && cluster) {
      reader.problems.add(f.node("nodes").get(), f.pathOf("nodes"), "give url (one server) or nodes (a Redis Cluster), not both");
    } else if (cluster) {
      f.list("nodes").ifPresent(items -> {
        if (items.isEmpty()) reader.problems.add(f.node("nodes").get(), f.pathOf("nodes"), "must name at least one node");
        for (int i = 0; i < items.size(); i++) {
          String path = f.pathOf("nodes") + "[" + i + "]";
          reader.scalar(items.get(i), path).flatMap(s -> endpoint(s, path, false)).ifPresent(endpoints::add);
        }
      });
    } else if (f.has("url")) {
      f.scalar("url").flatMap(s -> endpoint(s, f.pathOf("url"), true)).ifPresent(endpoints::add);
    } else {
      reader.problems.add(f.line(), f.pathOf("url"), "is required (or nodes, for a Redis Cluster)");
    }
    Optional<String> user = f.text("user");
    Optional<Secret> password = password(f);
    String prefix = RedisConfig.DEFAULT_KEY_PREFIX;
    Optional<Node.Scalar> p = f.scalar("key_prefix");
    if (p.isPresent()) {
      if (p.get().text().matches("[A-Za-z0-9_.:-]{1,64}")) {
        prefix = p.get().text();
      } else {
        reader.problems.add(p.get(), f.pathOf("key_prefix"), p.get().shown()
            + " is not a valid key prefix (1 to 64 letters, digits, '_', '.', ':', '-'; braces would choose the Cluster hash slot)");
      }
    }
    Duration timeout = f.duration("timeout", true).orElse(RedisConfig.DEFAULT_TIMEOUT);
    if (timeout.compareTo(MAX_TIMEOUT) > 0) {
      reader.problems.add(f.node("timeout").get(), f.pathOf("timeout"), "must be at most 10s: every limited request may wait this long");
    }
    RedisConfig.Fallback fallback = f.choice("fallback", FALLBACKS).orElse(RedisConfig.Fallback.LOCAL);
    Duration heartbeat = f.duration("heartbeat", true).orElse(RedisConfig.DEFAULT_HEARTBEAT);
    if (heartbeat.compareTo(MIN_HEARTBEAT) < 0 || heartbeat.compareTo(MAX_HEARTBEAT) > 0) {
      reader.problems.add(f.node("heartbeat").get(), f.pathOf("heartbeat"), "must be between 100ms and 1m");
    }
    if (reader.problems.size() > before) return Optional.empty();
    return Optional.of(new RedisConfig(endpoints, cluster, user, password, prefix, timeout, fallback, heartbeat));
  }

  /** {@code redis://host[:port]}, with {@code /db} for one server; normalised, the port written out. */
  private Optional<String> endpoint(Node.Scalar s, String path, boolean standalone) {
    String what = s.fromEnv() ? "the value" : s.shown();
    String form = standalone ? "redis://host[:port][/db]" : "redis://host[:port]";
    URI uri;
    try {
      uri = new URI(s.text());
    } catch (URISyntaxException e) {
      reader.problems.add(s, path, what + " is not a valid URL (expected " + form + ")");
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String db = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    String problem = null;
    if (scheme.equals("rediss")) {
      problem = "TLS to Redis (rediss://) is not supported yet; reach Redis over a private network or a local TLS tunnel";
    } else if (!scheme.equals("redis") || uri.isOpaque()) {
      problem = what + " must be " + form;
    } else if (uri.getRawUserInfo() != null) {
      problem = "must not contain user info (a password in a URL ends up in logs); write user: and password: ${VARIABLE}";
    } else if (uri.getHost() == null) {
      problem = what + " must name a host (" + form + ")";
    } else if (uri.getPort() == 0) {
      problem = what + " must not use port 0";
    } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problem = what + " must not have a query or fragment";
    } else if (!db.isEmpty() && (!standalone || !db.matches("/[0-9]{1,2}"))) {
      problem = standalone ? what + ": the database must be a number, e.g. redis://host:6379/0" : what
          + " must not name a database (a Redis Cluster has only database 0)";
    }
    if (problem != null) {
      reader.problems.add(s, path, problem);
      return Optional.empty();
    }
    return Optional.of("redis://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort()) + db);
  }

  /** From the environment only; empty there means none (one file for servers with and without AUTH). */
  private Optional<Secret> password(Fields f) {
    Optional<Node.Scalar> s = f.scalar("password");
    if (s.isEmpty()) return Optional.empty();
    if (!s.get().fromEnv()) {
      reader.problems.add(s.get(), f.pathOf("password"), "must come from the environment (write ${VARIABLE}), never from the file");
      return Optional.empty();
    }
    return s.get().text().isEmpty() ? Optional.empty() : Optional.of(new Secret(s.get().text()));
  }
}
