package gatehouse.pipeline;

import gatehouse.authn.Identity;
import gatehouse.config.RouteConfig;
import gatehouse.identity.HeaderEdits;
import java.util.Optional;

/** What the pipeline decided about one request; the access log is written from this value. */
public sealed interface Outcome {

  /** The route that took the request, if routing got that far. */
  Optional<RouteConfig> matchedRoute();

  /**
   * Send the request upstream.
   *
   * @param upstreamTarget path and query to send, normalised, rewritten, API key removed
   * @param credentialFingerprint fingerprint of the credential that was verified, for the log
   */
  record Forward(
      RouteConfig route,
      Optional<Identity> identity,
      HeaderEdits edits,
      String upstreamTarget,
      Optional<String> credentialFingerprint)
      implements Outcome {
    @Override
    public Optional<RouteConfig> matchedRoute() {
      return Optional.of(route);
    }
  }

  /** Answer the client with {@code rejection}; the upstream never sees the request. */
  record Reject(Rejection rejection, Optional<RouteConfig> matchedRoute, Optional<String> credentialFingerprint)
      implements Outcome {}
}
