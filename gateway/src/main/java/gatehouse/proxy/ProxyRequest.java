package gatehouse.proxy;

import gatehouse.identity.RequestSigner;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the pipeline asks stage 7 to do with one admitted request.
 *
 * @param upstream name of a configured upstream
 * @param pathAndQuery the normalised, rewritten request target ({@code /a/b?x=1}); sent verbatim,
 *     after the upstream url's base path if it has one
 * @param headerEdits the identity stage's plan; applied to the outgoing headers after the client's
 *     headers were copied and hop-by-hop ones removed, and before {@code X-Forwarded-*} are added
 * @param timeout overrides the upstream's {@code timeout} (time allowed for response headers)
 * @param maxBodyBytes the largest request body forwarded; larger ones answer 413
 * @param allowWebSocket whether an HTTP/1.1 upgrade to {@code websocket} is tunnelled; when false,
 *     such a request is forwarded as plain HTTP without {@code Upgrade}
 * @param signer the identity stage's signer for this request, called last, with the upstream
 *     request head as it will be sent; the headers it returns are set on it
 */
public record ProxyRequest(
    String upstream,
    String pathAndQuery,
    Consumer<MultiMap> headerEdits,
    Optional<Duration> timeout,
    long maxBodyBytes,
    boolean allowWebSocket,
    RequestSigner signer) {

  public ProxyRequest(String upstream, String pathAndQuery, Consumer<MultiMap> headerEdits, Optional<Duration> timeout,
      long maxBodyBytes, boolean allowWebSocket) {
    this(upstream, pathAndQuery, headerEdits, timeout, maxBodyBytes, allowWebSocket, RequestSigner.NONE);
  }

  public ProxyRequest {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    Objects.requireNonNull(headerEdits, "headerEdits");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(signer, "signer");
    if (!pathAndQuery.startsWith("/") && !pathAndQuery.equals("*")) {
      throw new IllegalArgumentException(
          "pathAndQuery must start with '/' or be '*'");
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 0 but was " + maxBodyBytes);
    }
    if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout.get());
    }
  }
}
