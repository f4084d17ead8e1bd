package gatehouse.server;

import gatehouse.authn.apikey.ApiKeyAdmin;
import gatehouse.config.AdminApiConfig;
import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.identity.UpstreamSigners;
import gatehouse.observe.Observer;
import gatehouse.pipeline.Pipeline;
import gatehouse.proxy.BodyLimits;
import gatehouse.proxy.Breakers;
import gatehouse.proxy.ClientAddresses;
import gatehouse.route.RouteTable;
import gatehouse.trace.RequestTracing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything one config decides, compiled, immutable: what a request is checked against and where
 * it goes. A request reads the {@link CurrentSnapshot} once, when its head arrives, and uses that
 * snapshot to its end, whatever replaces it meanwhile. The long-lived parts a snapshot uses (key
 * sources, the key store, metrics) belong to the process, not to the snapshot, and outlive it.
 *
 * @param generation 1 for the config the gateway started with, one more for each that replaced it
 * @param pipeline stages 1 to 5, built over {@code routes}
 * @param routes the compiled route table
 * @param upstreams what each event loop's upstream clients are made from
 * @param signers how requests to each upstream are signed
 * @param observer the access log (with this config's settings) and the process's metrics
 * @param readiness the admin {@code /ready} checks of this config's dependencies, asked at each call
 * @param keyAdmin key management of the key store, when API keys are in play
 * @param adminApi who may use key management on the admin listener
 * @param breakers the process's circuit breakers on the proxy path
 * @param clientAddresses who the client of a request is, after {@code forwarding.trusted_proxies}
 * @param tracing starts each request's trace ({@code tracing})
 */
public record Snapshot(long generation, Pipeline pipeline, RouteTable routes, UpstreamSpecs upstreams, UpstreamSigners signers,
    Observer observer, Supplier<List<Readiness>> readiness, Optional<ApiKeyAdmin> keyAdmin, AdminApiConfig adminApi,
    Breakers breakers, ClientAddresses clientAddresses, RequestTracing tracing) {
  public Snapshot {
    if (generation < 1) throw new IllegalArgumentException("snapshot generation must be at least 1, got " + generation);
  }

  /**
   * The upstreams and how forwarding headers are written: two snapshots with equal specs share an
   * event loop's upstream clients (and their connection pools).
   *
   * @param drainLimit how long a client whose body will not be forwarded may take to finish sending it
   * @param bodies {@code limits.body_timeout} and {@code limits.buffer_body}
   */
  public record UpstreamSpecs(Map<String, UpstreamConfig> upstreams, ForwardingConfig forwarding, Duration drainLimit,
      BodyLimits bodies) {
    public UpstreamSpecs {
      upstreams = Map.copyOf(upstreams);
    }
  }
}
