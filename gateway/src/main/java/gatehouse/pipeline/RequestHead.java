package gatehouse.pipeline;

import gatehouse.trace.RequestTrace;
import gatehouse.trace.RequestTracing;
import io.vertx.core.MultiMap;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What the pipeline may read of a request: its head, never its body.
 *
 * @param method the request method, upper-case as sent
 * @param rawTarget the request-target exactly as on the request line (HTTP/2: {@code :path})
 * @param host the Host header or {@code :authority}; may be null
 * @param headers the request headers; the pipeline never modifies them
 * @param clientCertificate the TLS client certificate (the leaf), its chain verified by the gateway
 *     against {@code listen.tls.client_ca} and valid now; empty on cleartext, when none was
 *     presented, and when the one presented is untrusted or expired
 * @param clientAddress the client's IP address after {@code forwarding.trusted_proxies}
 *     ({@code gatehouse.proxy.ClientAddresses}), in canonical text; {@code "unknown"} when the
 *     gateway cannot tell (a Unix socket). Rate limits by address count it
 * @param trace the request's trace: the stages note themselves in it, the proxy forwards it
 */
public record RequestHead(String method, String rawTarget, String host, MultiMap headers, Optional<X509Certificate> clientCertificate,
    String clientAddress, RequestTrace trace) {
  /** A head whose trace is a new one, recorded nowhere. */
  public RequestHead(String method, String rawTarget, String host, MultiMap headers, Optional<X509Certificate> clientCertificate,
      String clientAddress) {
    this(method, rawTarget, host, headers, clientCertificate, clientAddress, RequestTracing.CONTEXT_ONLY.start(headers, false, method));
  }

  /** A head without a client certificate, from a client whose address is unknown. */
  public RequestHead(String method, String rawTarget, String host, MultiMap headers) {
    this(method, rawTarget, host, headers, Optional.empty(), "unknown");
  }
}
