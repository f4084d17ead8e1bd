package gatehouse.pipeline;

import gatehouse.authn.Identity;
import gatehouse.config.RouteConfig;
import gatehouse.identity.HeaderEdits;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
   * @param responseHeaders headers the gateway adds to the upstream's response ({@code RateLimit-*})
   */
  record Forward(
      RouteConfig route,
      Optional<Identity> identity,
      HeaderEdits edits,
      String upstreamTarget,
      Optional<String> credentialFingerprint,
      Map<String, String> responseHeaders)
      implements Outcome {
    public Forward {
      responseHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(responseHeaders));
    }

    @Override
    public Optional<RouteConfig> matchedRoute() {
      return Optional.of(route);
    }
  }

  /**
   * Answer the client with {@code rejection}; the upstream never sees the request.
   *
   * @param identity who was refused, for the log: set when a verified identity was refused by the
   *     route ({@link Rejection.Forbidden}), empty otherwise
   */
  record Reject(Rejection rejection, Optional<RouteConfig> matchedRoute, Optional<String> credentialFingerprint,
      Optional<Identity> identity) implements Outcome {

    /** A rejection before any identity was established. */
    public Reject(Rejection rejection, Optional<RouteConfig> matchedRoute, Optional<String> credentialFingerprint) {
      this(rejection, matchedRoute, credentialFingerprint, Optional.empty());
    }
  }
}
