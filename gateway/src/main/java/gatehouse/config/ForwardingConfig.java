package gatehouse.config;

import java.util.List;

/**
 * {@code forwarding:}. {@code trustedProxies} are CIDRs ({@code 10.0.0.0/8}, {@code ::1/128}) of
 * peers whose {@code X-Forwarded-*} and {@code Forwarded} headers are kept and appended to; from
 * any other peer those headers are replaced with what the gateway saw. Default: none.
 */
public record ForwardingConfig(List<String> trustedProxies) {
  public ForwardingConfig {
    trustedProxies = List.copyOf(trustedProxies);
  }
}
