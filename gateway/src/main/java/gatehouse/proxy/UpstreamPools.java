package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One event loop's upstream connection pools across config reloads: one pool per upstream name and
 * config, so an upstream whose config did not change keeps its pool (and its kept-alive
 * connections) when others change. {@link #retain} closes the pools no live config uses.
 * Event-loop confined: call every method on the loop that owns it.
 */
public final class UpstreamPools {
  /** An upstream as configured: two snapshots with an equal one share its pool. */
  public record Key(String name, UpstreamConfig config) {}

  private final Vertx vertx;
  private final Occupancy occupancy;
  private final Map<Key, Upstream> pools = new HashMap<>();

  /** Pools on {@code vertx}'s current context, counting waiting requests in {@code occupancy}. */
  public UpstreamPools(Vertx vertx, Occupancy occupancy) {
    this.vertx = vertx;
    this.occupancy = occupancy;
  }

  /** The upstreams {@code upstreams} configures, over this loop's pools (made for those not seen before). */
  public Upstreams of(Map<String, UpstreamConfig> upstreams, ForwardingConfig forwarding, Duration drainLimit, BodyLimits bodies) {
    Map<String, Upstream> compiled = new LinkedHashMap<>();
    upstreams.forEach((name, config) ->
        compiled.put(name, pools.computeIfAbsent(new Key(name, config), k -> Upstream.compile(vertx, name, config, occupancy))));
    return new Upstreams(compiled, vertx, forwarding, drainLimit, bodies);
  }

  /** The keys of every upstream that {@code configs} name. */
  public static Set<Key> keys(Collection<Map<String, UpstreamConfig>> configs) {
    Set<Key> keys = new java.util.HashSet<>();
    for (Map<String, UpstreamConfig> c : configs) c.forEach((name, config) -> keys.add(new Key(name, config)));
    return keys;
  }

  /** Closes the pools whose key is not in {@code live}; connections still in use are cut. */
  public Future<Void> retain(Set<Key> live) {
    List<Future<Void>> closing = new ArrayList<>();
    for (Iterator<Map.Entry<Key, Upstream>> it = pools.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Upstream> e = it.next();
      if (!live.contains(e.getKey())) {
        closing.add(e.getValue().close());
        it.remove();
      }
    }
    return Future.join(closing).mapEmpty();
  }

  /** How many pools are open. */
  public int size() {
    return pools.size();
  }

  /** Closes every pool. */
  public Future<Void> close() {
    return retain(Set.of());
  }
}
