package gatehouse.proxy;

import gatehouse.pipeline.Rejection;

/** How one forwarded exchange ended. {@link Upstreams#forward} completes with exactly one of these. */
public sealed interface Proxied {

  /**
   * The upstream's response was relayed to the end. For a WebSocket tunnel {@code status} is 101 and
   * the byte counts are what crossed the tunnel each way.
   */
  record Responded(int status, long requestBytes, long responseBytes) implements Proxied {}

  /**
   * Nothing was sent to the client yet: the caller writes the reply ({@code ErrorResponses}). When
   * the request body was left unread, the client's body is being discarded and, on HTTP/1.x, the
   * response already carries {@code Connection: close} so that the reply ends the connection
   * (RFC 9112 section 9.6) instead of leaving it unsynchronised.
   */
  record Failed(Rejection rejection) implements Proxied {}

  /**
   * The exchange was cut: the response had started and could not finish (the client connection was
   * reset: HTTP/1.x closed, HTTP/2 stream reset), or the client went away. The caller writes
   * nothing.
   */
  record Aborted(String reason) implements Proxied {}
}
