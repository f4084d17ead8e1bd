package gatehouse.config;

import gatehouse.crypto.SignatureEngine;
import gatehouse.transport.NetworkTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, parsed and validated once by {@link ConfigLoader}. Immutable. Every key
 * of the YAML file maps to one component here; the README documents each.
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
    AccessLogConfig accessLog) {

  public GatehouseConfig {
    upstreams = Map.copyOf(upstreams);
    routes = List.copyOf(routes);
  }
}
