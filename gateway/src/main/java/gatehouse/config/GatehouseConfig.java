package gatehouse.config;

import gatehouse.crypto.SignatureEngine;
import gatehouse.transport.NetworkTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, parsed and validated once by {@link ConfigLoader}. Immutable. Every key
 * of the YAML file maps to one component here; docs/configuration.md documents each. {@code redis} is empty
 * when the file has none: rate limits are then this process's own; {@code tracing} is
 * {@link TracingConfig#OFF} without a section. {@code lines} is where
 * the keys were written, which takes no part in equality.
 */
public record GatehouseConfig(
    Path source,
    ListenerConfig listen,
    ListenerConfig admin,
    Map<String, UpstreamConfig> upstreams,
    AuthConfig auth,
    IdentityConfig identity,
    ForwardingConfig forwarding,
    LimitsConfig limits,
    Policy defaultPolicy,
    List<RouteConfig> routes,
    SignatureEngine.Choice crypto,
    NetworkTransport.Choice transport,
    AccessLogConfig accessLog,
    RateLimitsConfig rateLimits,
    Optional<RedisConfig> redis,
    TracingConfig tracing,
    ShutdownConfig shutdown,
    KeyLines lines) {

  public GatehouseConfig {
    upstreams = Map.copyOf(upstreams);
    routes = List.copyOf(routes);
  }

  /**
   * A problem with key {@code key} found after loading (a port already taken when the listener
   * binds, a file changed since it was read), reported at the line the key is written on.
   */
  public ConfigException problem(String key, String message) {
    return new ConfigException(new ConfigException.Problem(source.toString(), lines.of(key), key, message));
  }
}
