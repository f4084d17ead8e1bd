package gatehouse.config;

import gatehouse.crypto.SignatureEngine;
import gatehouse.transport.NetworkTransport;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Maps the located tree onto the config records, section by section, reporting every problem it
 * can find. Sections that others refer to (upstreams, auth) are read first; names are collected
 * even from broken entries so one mistake is not reported again at every reference.
 */
final class ConfigReader {
  /** Bounds of {@code identity.max_header_value}: room for a UUID or an email, and below any backend's header limit. */
  static final long MIN_HEADER_VALUE = 64;
  static final long MAX_HEADER_VALUE = 65_536;

  static final Shape.Obj LISTEN = Shape.obj("The public listener. Default 0.0.0.0:8080.",
      Shape.key("host", Shape.text(), "IP address or host name to bind. Default 0.0.0.0."),
      Shape.key("port", Shape.whole(0, 65535), "Port; 0 picks a free port. Default 8080."),
      Shape.key("h2c", Shape.flag(), "Also accept cleartext HTTP/2. Default false."),
      Shape.key("tls", TrustReader.LISTEN_TLS, TrustReader.LISTEN_TLS.description()));
  static final Shape.Obj ADMIN = Shape.obj("The admin listener (/health, /ready, /metrics, the key API). Default 127.0.0.1:9901.",
      Shape.key("host", Shape.text(), "IP address or host name to bind; keep it on loopback. Default 127.0.0.1."),
      Shape.key("port", Shape.whole(0, 65535), "Port; not the listen port on an overlapping address. Default 9901."));
  static final Shape.Obj UPSTREAM = Shape.obj("A backend.",
      Shape.key("url", Shape.text(), "http://host[:port][/base] or https://...; the base path is put in front of every forwarded"
          + " path.").required(),
      Shape.key("connect_timeout", Shape.positiveSpan(), "Time allowed to connect, and to wait for a pooled connection. Default 2s."),
      Shape.key("timeout", Shape.positiveSpan(), "Time allowed for the response headers; a route may override it. Default 30s."),
      Shape.key("max_connections", Shape.whole(1, 100_000), "Connection pool size per event loop. Default 64."),
      Shape.key("max_pending", Shape.whole(0, 1_000_000), "Requests that may wait for a pooled connection per event loop; more get"
          + " 503. Default 2 x max_connections."),
      Shape.key("tls", TrustReader.UPSTREAM_TLS, TrustReader.UPSTREAM_TLS.description()),
      Shape.key("sign", TrustReader.SIGN, "How the gateway proves requests to this upstream. Default: the top-level sign."),
      Shape.key("breaker", BreakerReader.SHAPE, BreakerReader.SHAPE.description())).named("upstream");
  static final Shape.Obj AUTH = Shape.obj("How credentials are verified.",
      Shape.key("jwt", Shape.listOf(JwtProviderReader.SHAPE), "Token issuers the gateway trusts."),
      Shape.key("api_keys", ApiKeysReader.SHAPE, ApiKeysReader.SHAPE.description()),
      Shape.key("introspection", Shape.listOf(IntrospectionReader.SHAPE), "Authorization servers asked about tokens (RFC 7662);"
          + " opaque tokens go to the first."));
  static final Shape.Obj IDENTITY = Shape.obj("Identity headers set on forwarded requests from verified credentials.",
      Shape.key("claims", HeaderRules.CLAIMS, "Claim path -> header. Replaces the default {sub: X-User-Id, role: X-User-Role,"
          + " email: X-User-Email}."),
      Shape.key("reserved_headers", Shape.listOf(Shape.text()), "Stripped from every client request, besides X-User-*, X-Owner-Id,"
          + " X-Scopes, X-Key-Id; a trailing * makes a prefix."),
      Shape.key("max_header_value", Shape.size(MIN_HEADER_VALUE, MAX_HEADER_VALUE), "The longest identity header value, in bytes as"
          + " sent. Default 4096."));
  static final Shape.Obj FORWARDING = Shape.obj("Which peers' forwarding headers are believed.",
      Shape.key("trusted_proxies", Shape.listOf(Shape.text()), "CIDRs of peers whose X-Forwarded-* and Forwarded headers are kept"
          + " and appended to. Default: none."));
  static final Shape.Obj LIMITS = Shape.obj("Protection against oversized and slow clients.",
      Shape.key("max_request_line", Shape.size(256, Integer.MAX_VALUE), "Longer request lines get 414. Default 8192."),
      Shape.key("max_header_size", Shape.size(1024, Integer.MAX_VALUE), "Larger header blocks get 431. Default 16384."),
      Shape.key("max_header_fields", Shape.whole(1, 10_000), "A request head with more header fields gets 431. Default 100."),
      Shape.key("max_body", Shape.size(0, Long.MAX_VALUE), "Request body limit of every route without its own; 413 past it."
          + " Default 10MiB."),
      Shape.key("idle_timeout", Shape.positiveSpan(), "A connection with no traffic for this long is closed. Default 60s."),
      Shape.key("header_read_timeout", Shape.positiveSpan(), "The whole request head must arrive within this. Default 10s."),
      Shape.key("body_timeout", Shape.positiveSpan(), "A request body must arrive whole within this. Default 60s."),
      Shape.key("buffer_body", Shape.size(0, 16L << 20), "Bodies up to this size are read whole before an upstream connection is"
          + " taken. Default 64KiB."),
      Shape.key("buffer_body_total", Shape.size(0, Long.MAX_VALUE), "What all bodies being read whole may hold together; past it"
          + " 503 bodies_busy. Default: from the heap."),
      Shape.key("body_min_rate", Shape.size(0, 1L << 30), "Bytes per second a body must average after body_min_rate_grace."
          + " Default 500."),
      Shape.key("body_min_rate_grace", Shape.positiveSpan(), "How long a body may take before body_min_rate applies. Default 20s."),
      Shape.key("max_connections", Shape.whole(1, 10_000_000), "Connections each listener holds at once. Default: from the"
          + " descriptor limit."));
  static final Shape.Obj CRYPTO = Shape.obj("Who computes RSA, ECDSA and Ed25519 signatures.",
      Shape.key("provider", Shape.choice(java.util.Arrays.stream(SignatureEngine.Choice.values())
          .map(c -> c.name().toLowerCase(Locale.ROOT)).toList()), "auto (AWS-LC when it loads, else the JDK), jdk, or native."
          + " Default auto."));
  static final Shape.Obj RUNTIME = Shape.obj("How the event loops do socket I/O.",
      Shape.key("transport", Shape.choice(java.util.Arrays.stream(NetworkTransport.Choice.values())
          .map(NetworkTransport.Choice::configName).toList()), "auto (io_uring, else epoll, else NIO), io_uring, epoll or nio."
          + " Default auto."));
  /** The whole file. */
  static final Shape.Obj SHAPE = Shape.obj("A Gatehouse configuration file.",
      Shape.key("listen", LISTEN, LISTEN.description()),
      Shape.key("admin", ADMIN, ADMIN.description()),
      Shape.key("upstreams", Shape.mapOf(UPSTREAM, "[A-Za-z0-9_.-]+"), "Backends, by name (letters, digits, '_', '.', '-')."),
      Shape.key("auth", AUTH, AUTH.description()),
      Shape.key("identity", IDENTITY, IDENTITY.description()),
      Shape.key("forwarding", FORWARDING, FORWARDING.description()),
      Shape.key("limits", LIMITS, LIMITS.description()),
      Shape.key("default_policy", PolicyReader.SHAPE, "The policy of routes that name none. Default jwt."),
      Shape.key("routes", Shape.nonEmptyListOf(RouteReader.SHAPE), "Tried in order; the first match wins.").required(),
      Shape.key("sign", TrustReader.SIGN, "The default sign of every upstream that has none of its own."),
      Shape.key("crypto", CRYPTO, CRYPTO.description()),
      Shape.key("runtime", RUNTIME, RUNTIME.description()),
      Shape.key("access_log", AccessLogReader.SHAPE, AccessLogReader.SHAPE.description()),
      Shape.key("rate_limits", Shape.listOf(RateLimitReader.SHAPE), "Limits every route takes a token from. Default: none."),
      Shape.key("failed_auth_limit", RateLimitReader.FAILED_AUTH, RateLimitReader.FAILED_AUTH.description()),
      Shape.key("redis", RedisReader.SHAPE, RedisReader.SHAPE.description()),
      Shape.key("tracing", TracingReader.SHAPE, TracingReader.SHAPE.description()),
      Shape.key("shutdown", ShutdownReader.SHAPE, ShutdownReader.SHAPE.description()));

  private final Reader reader;
  private final Path source;
  private final Path baseDir;
  private final TrustReader trust;

  ConfigReader(Problems problems, Path source, Path baseDir) {
    this.reader = new Reader(problems);
    this.source = source;
    this.baseDir = baseDir;
    this.trust = new TrustReader(reader, baseDir);
  }

  /** The config, or empty when any problem was reported. */
  Optional<GatehouseConfig> read(Node root) {
    if (!(root instanceof Node.Mapping)) {
      reader.problems.add(root, "", "the top level must be a mapping, got " + root.kind());
      return Optional.empty();
    }
    Fields top = reader.fields(root, "", SHAPE).orElseThrow();
    ListenerConfig listen = listener(top, "listen", "0.0.0.0", 8080);
    ListenerConfig admin = listener(top, "admin", "127.0.0.1", 9901);
    checkPorts(top, listen, admin);

    Set<String> upstreamNames = new LinkedHashSet<>();
    Map<String, UpstreamConfig> upstreams = upstreams(top, upstreamNames);

    Optional<Fields> auth = top.fields("auth", AUTH);
    ApiKeysReader.Read keys = new ApiKeysReader(reader, baseDir).read(auth.flatMap(a -> a.fields("api_keys", ApiKeysReader.SHAPE)));
    ApiKeyExtractionConfig apiKeys = keys.extraction();
    List<String> protectedHeaders = new ArrayList<>(HeaderRules.PROTECTED);
    protectedHeaders.add(apiKeys.header());
    Set<String> providerNames = new HashSet<>();
    List<JwtProviderConfig> providers = auth.flatMap(a -> a.node("jwt"))
        .map(n -> new JwtProviderReader(reader, baseDir, protectedHeaders).readAll(n, "auth.jwt", providerNames))
        .orElse(List.of());
    List<IntrospectionConfig> introspection = auth.flatMap(a -> a.node("introspection"))
        .map(n -> new IntrospectionReader(reader, baseDir, protectedHeaders).readAll(n, "auth.introspection", providerNames, providers))
        .orElse(List.of());

    IdentityConfig identity = identity(top, providers, introspection, protectedHeaders);
    ForwardingConfig forwarding = forwarding(top);
    LimitsConfig limits = limits(top);
    RateLimitReader rateLimitReader = new RateLimitReader(reader);
    RateLimitsConfig rateLimits = rateLimitReader.top(top);

    PolicyReader policies = new PolicyReader(reader, providerNames, mentionsClientCa(top));
    Policy defaultPolicy = top.node("default_policy")
        .flatMap(n -> policies.read(n, "default_policy")).orElse(Policy.Jwt.any());
    top.require("routes");
    List<RouteConfig> routes = top.node("routes")
        .map(n -> new RouteReader(reader, policies, upstreamNames, defaultPolicy, limits.maxBodyBytes(), rateLimitReader).readAll(n, "routes"))
        .orElse(List.of());

    AccessLogConfig accessLog = new AccessLogReader(reader, baseDir).read(top.fields("access_log", AccessLogReader.SHAPE));
    Optional<RedisConfig> redis = new RedisReader(reader).read(top.fields("redis", RedisReader.SHAPE));
    ShutdownConfig shutdown = ShutdownReader.read(top.fields("shutdown", ShutdownReader.SHAPE));
    TracingConfig tracing = new TracingReader(reader, this::upstreamUrl).read(top.fields("tracing", TracingReader.SHAPE));
    if (!reader.problems.isEmpty()) return Optional.empty();
    return Optional.of(new GatehouseConfig(source, listen, admin, upstreams, new AuthConfig(providers, apiKeys, introspection, keys.keys()),
        identity, forwarding, limits, defaultPolicy, routes, crypto(top), transport(top), accessLog, rateLimits, redis, tracing, shutdown,
        KeyLines.read(root)));
  }

  private ListenerConfig listener(Fields top, String key, String host, int port) {
    boolean gateway = key.equals("listen");
    Optional<Fields> f = top.fields(key, gateway ? LISTEN : ADMIN);
    if (f.isEmpty()) return new ListenerConfig(host, port);
    String h = f.get().text("host").orElse(host);
    if (!Syntax.isBindHost(h)) {
      reader.problems.add(f.get().node("host").get(), f.get().pathOf("host"), Reader.shown(f.get().node("host").get()) + " is not an IP address or host name");
    }
    boolean h2c = gateway && f.get().bool("h2c").orElse(false);
    Optional<ListenTlsConfig> tls = gateway ? trust.listenTls(f.get()) : Optional.empty();
    return new ListenerConfig(h, f.get().integer("port", 0, 65535).orElse(port), h2c, tls);
  }

  /**
   * Whether {@code listen.tls.client_ca} is written (usable or not): mtls policies need it, and a
   * broken one was reported already.
   */
  private static boolean mentionsClientCa(Fields top) {
    return top.node("listen").flatMap(l -> child(l, "tls")).flatMap(t -> child(t, "client_ca")).isPresent();
  }

  private static Optional<Node> child(Node node, String key) {
    if (!(node instanceof Node.Mapping m)) return Optional.empty();
    return m.entries().stream().filter(e -> e.key().equals(key)).map(Node.Entry::value).findFirst();
  }

  /** Two listeners on one port would fail at bind time with a less helpful message. */
  private void checkPorts(Fields top, ListenerConfig listen, ListenerConfig admin) {
    if (listen.port() == 0 || listen.port() != admin.port()) return;
    boolean overlap = listen.host().equals(admin.host()) || isWildcard(listen.host()) || isWildcard(admin.host());
    if (overlap) {
      int line = top.node("admin").or(() -> top.node("listen")).map(Node::line).orElse(top.line());
      reader.problems.add(line, "admin.port", "admin and listen both use port " + listen.port());
    }
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private Map<String, UpstreamConfig> upstreams(Fields top, Set<String> names) {
    Map<String, UpstreamConfig> out = new LinkedHashMap<>();
    SignConfig defaultSign = top.node("sign").flatMap(n -> trust.sign(n, "sign", HeaderRules.PROTECTED)).orElse(SignConfig.none());
    Optional<Node.Mapping> map = top.mapping("upstreams");
    if (map.isEmpty()) return out;
    for (Node.Entry e : map.get().entries()) {
      String path = "upstreams." + e.key();
      names.add(e.key());
      if (!e.key().matches("[A-Za-z0-9_.-]+")) {
        reader.problems.add(e.line(), path, "'" + e.key() + "' is not a valid upstream name (letters, digits, '_', '.', '-')");
      }
      Optional<Fields> f = reader.fields(e.value(), path, UPSTREAM);
      if (f.isEmpty()) continue;
      f.get().require("url");
      Optional<URI> url = f.get().scalar("url").flatMap(s -> upstreamUrl(s, f.get().pathOf("url")));
      Duration connect = f.get().duration("connect_timeout", true).orElse(Duration.ofSeconds(2));
      Duration timeout = f.get().duration("timeout", true).orElse(Duration.ofSeconds(30));
      int max = f.get().integer("max_connections", 1, 100_000).orElse(64);
      int pending = f.get().integer("max_pending", 0, 1_000_000).orElse(UpstreamConfig.defaultMaxPending(max));
      UpstreamTlsConfig tls = trust.upstreamTls(f.get(), url.map(u -> u.getScheme().equals("https")).orElse(true));
      SignConfig sign = f.get().node("sign").isPresent()
          ? trust.sign(f.get().node("sign").get(), f.get().pathOf("sign"), HeaderRules.PROTECTED).orElse(SignConfig.none())
          : defaultSign;
      Optional<BreakerConfig> breaker = BreakerReader.read(f.get());
      url.ifPresent(u -> out.put(e.key(), new UpstreamConfig(e.key(), u, connect, timeout, max, tls, sign, pending, breaker)));
    }
    return out;
  }

  /** {@code http(s)://host[:port][/base]}; a trailing slash on the base is dropped. */
  private Optional<URI> upstreamUrl(Node.Scalar s, String path) {
    URI uri;
    try {
      uri = new URI(s.text());
    } catch (URISyntaxException e) {
      reader.problems.add(s, path, s.shown() + " is not a valid URL");
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String base = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
    String problem = null;
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.isOpaque()) {
      problem = s.shown() + " must be an http:// or https:// URL";
    } else if (uri.getRawUserInfo() != null) {
      problem = "must not contain user info (credentials in a URL end up in logs)";
    } else if (uri.getHost() == null) {
      problem = s.shown() + " must name a host (http[s]://host[:port][/base])";
    } else if (uri.getPort() == 0) {
      problem = s.shown() + " must not use port 0";
    } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problem = s.shown() + " must not have a query or fragment";
    } else if (!base.isEmpty()) {
      problem = Syntax.normalPath(base).map(p -> s.shown() + ": the base path " + p).orElse(null);
    }
    if (problem != null) {
      reader.problems.add(s, path, problem);
      return Optional.empty();
    }
    return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority() + base));
  }

  /**
   * Every header an identity claim fills is reserved too, so a client can never supply one that
   * the gateway leaves unset (a token without an {@code email} claim, a public route).
   */
  private IdentityConfig identity(Fields top, List<JwtProviderConfig> providers, List<IntrospectionConfig> introspection,
      List<String> protectedHeaders) {
    Optional<Fields> f = top.fields("identity", IDENTITY);
    Map<String, String> claims = f.flatMap(i -> i.node("claims"))
        .flatMap(n -> HeaderRules.claims(reader, n, "identity.claims", protectedHeaders))
        .orElse(HeaderRules.defaultClaims());
    List<String> reserved = new ArrayList<>(HeaderRules.DEFAULT_RESERVED);
    f.flatMap(i -> i.list("reserved_headers")).ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        String path = "identity.reserved_headers[" + i + "]";
        Node item = items.get(i);
        reader.text(item, path).ifPresent(h -> {
          if (!Syntax.isHeaderPattern(h)) {
            reader.problems.add(item, path, Reader.shown(item) + " is not a header name (a trailing '*' makes it a prefix)");
            return;
          }
          if (HeaderRules.skeleton(h).isEmpty()) {
            reader.problems.add(item, path, Reader.shown(item) + " has no letter or digit: it would reserve every header");
            return;
          }
          Optional<String> hit = HeaderRules.protectedBy(h, protectedHeaders);
          if (hit.isPresent()) {
            reader.problems.add(item, path, Reader.shown(item) + " would strip " + hit.get()
                + ", which the gateway needs for framing, routing, forwarding or credentials");
          } else {
            addReserved(reserved, h);
          }
        });
      }
    });
    claims.values().forEach(h -> addReserved(reserved, h));
    providers.forEach(p -> p.claims().values().forEach(h -> addReserved(reserved, h)));
    introspection.forEach(p -> p.claims().values().forEach(h -> addReserved(reserved, h)));
    int maxHeaderValue = f.flatMap(i -> i.size("max_header_value", MIN_HEADER_VALUE, MAX_HEADER_VALUE)).map(Long::intValue)
        .orElse(IdentityConfig.DEFAULT_MAX_HEADER_VALUE);
    return new IdentityConfig(claims, reserved, maxHeaderValue);
  }

  private static void addReserved(List<String> reserved, String header) {
    if (reserved.stream().noneMatch(r -> HeaderRules.covers(r, header))) reserved.add(header);
  }

  private ForwardingConfig forwarding(Fields top) {
    List<String> cidrs = new ArrayList<>();
    top.fields("forwarding", FORWARDING).flatMap(f -> f.list("trusted_proxies")).ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        String path = "forwarding.trusted_proxies[" + i + "]";
        Node item = items.get(i);
        reader.text(item, path).ifPresent(c -> {
          Optional<String> problem = Syntax.cidr(c);
          // The reason may quote parts of the address, so values from the environment get a plain one.
          boolean fromEnv = item instanceof Node.Scalar s && s.fromEnv();
          problem.ifPresent(p -> reader.problems.add(item, path, Reader.shown(item) + " " + (fromEnv ? "is not a valid CIDR" : p)));
          if (problem.isEmpty()) cidrs.add(c);
        });
      }
    });
    return new ForwardingConfig(cidrs);
  }

  private LimitsConfig limits(Fields top) {
    Optional<Fields> f = top.fields("limits", LIMITS);
    return new LimitsConfig(
        f.flatMap(l -> l.size("max_request_line", 256, Integer.MAX_VALUE)).map(Long::intValue).orElse(8192),
        f.flatMap(l -> l.size("max_header_size", 1024, Integer.MAX_VALUE)).map(Long::intValue).orElse(16384),
        f.flatMap(l -> l.size("max_body", 0, Long.MAX_VALUE)).orElse(10L << 20),
        f.flatMap(l -> l.duration("idle_timeout", true)).orElse(Duration.ofSeconds(60)),
        f.flatMap(l -> l.duration("header_read_timeout", true)).orElse(Duration.ofSeconds(10)),
        f.flatMap(l -> l.duration("body_timeout", true)).orElse(Duration.ofSeconds(60)),
        f.flatMap(l -> l.size("buffer_body", 0, 16L << 20)).orElse(64L << 10),
        f.flatMap(l -> l.size("body_min_rate", 0, 1L << 30)).orElse(500L),
        f.flatMap(l -> l.duration("body_min_rate_grace", true)).orElse(Duration.ofSeconds(20)),
        f.flatMap(l -> l.integer("max_connections", 1, 10_000_000)).map(OptionalInt::of).orElse(OptionalInt.empty()),
        f.flatMap(l -> l.integer("max_header_fields", 1, 10_000)).orElse(LimitsConfig.DEFAULT_MAX_HEADER_FIELDS),
        f.flatMap(l -> l.size("buffer_body_total", 0, Long.MAX_VALUE)).map(java.util.OptionalLong::of).orElse(java.util.OptionalLong.empty()));
  }

  private NetworkTransport.Choice transport(Fields top) {
    Map<String, NetworkTransport.Choice> byName = new LinkedHashMap<>();
    for (NetworkTransport.Choice c : NetworkTransport.Choice.values()) byName.put(c.configName(), c);
    Optional<Fields> runtime = top.fields("runtime", RUNTIME);
    NetworkTransport.Choice choice = runtime.flatMap(f -> f.choice("transport", byName)).orElse(NetworkTransport.Choice.AUTO);
    // io_uring or epoll where it cannot work is refused here, not when the gateway starts.
    if (choice == NetworkTransport.Choice.IO_URING || choice == NetworkTransport.Choice.EPOLL) {
      Fields f = runtime.get();
      reader.parsed(f.node("transport").get(), f.pathOf("transport"), () -> NetworkTransport.select(choice));
    }
    return choice;
  }

  private SignatureEngine.Choice crypto(Fields top) {
    Map<String, SignatureEngine.Choice> byName = new LinkedHashMap<>();
    for (SignatureEngine.Choice c : SignatureEngine.Choice.values()) byName.put(c.name().toLowerCase(Locale.ROOT), c);
    Optional<Fields> crypto = top.fields("crypto", CRYPTO);
    SignatureEngine.Choice choice = crypto.flatMap(f -> f.choice("provider", byName)).orElse(SignatureEngine.Choice.AUTO);
    // native where it cannot load is refused here, not when the gateway starts.
    if (choice == SignatureEngine.Choice.NATIVE) {
      Fields f = crypto.get();
      reader.parsed(f.node("provider").get(), f.pathOf("provider"), () -> SignatureEngine.select(choice));
    }
    return choice;
  }
}
