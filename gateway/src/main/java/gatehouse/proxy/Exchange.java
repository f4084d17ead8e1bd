package gatehouse.proxy;

import gatehouse.pipeline.Rejection;
import gatehouse.proxy.Proxied.Aborted;
import gatehouse.proxy.Proxied.Failed;
import gatehouse.proxy.Proxied.Responded;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded exchange: a small state machine driven by callbacks that all run on the client
 * request's event loop, so its fields need no synchronisation. It ends exactly once, in
 * {@link #finish}; after that every late callback is ignored.
 *
 * <p>The upstream connection goes back to the pool only when the response was relayed to its end
 * and {@link #reusable} held for it. Every other ending closes it: a failure or a client gone
 * mid-message resets the upstream request, which on HTTP/1.1 closes a connection the request was
 * written to; a response that ends where {@link #reusable} does not hold closes it once relayed.
 */
final class Exchange {

  private static final Logger LOG = LoggerFactory.getLogger(Upstreams.class);
  private static final String CONTENT_DIGEST = "Content-Digest";

  private final HttpServerRequest in;
  private final HttpServerResponse out;
  private final ProxyRequest request;
  private final Upstream upstream;
  private final ForwardedHeaders forwarded;
  private final Duration drainLimit;
  private final Vertx vertx;
  private final BodyLimits bodies;
  private final Promise<Proxied> result = Promise.promise();
  private final boolean http2;

  private HttpClientRequest upstreamRequest;
  private boolean done;
  private boolean requestEnded;
  private boolean responseStarted;
  private boolean tunnelling;
  private boolean requestHasBody;
  /** The response said {@code Connection: close}: the client's body is not all forwarded. */
  private boolean closeAfterReply;
  private long requestBytes;
  private long responseBytes;
  private long bodyTimer = -1;
  private long bodyForwarded;
  /** Body bytes held by {@link #bufferBody}, taken from the process's {@link BufferBudget} until the exchange ends. */
  private long bufferedBytes;

  /** Body bytes read from the client so far, buffered or forwarded. */
  private long bodyBytesRead;

  Exchange(HttpServerRequest in, ProxyRequest request, Upstream upstream, ForwardedHeaders forwarded, Duration drainLimit,
      Vertx vertx, BodyLimits bodies) {
    this.in = in;
    this.drainLimit = drainLimit;
    this.vertx = vertx;
    this.bodies = bodies;
    this.out = in.response();
    this.request = request;
    this.upstream = upstream;
    this.forwarded = forwarded;
    this.http2 = in.version() == HttpVersion.HTTP_2;
  }

  Future<Proxied> start() {
    in.endHandler(v -> bodyEnded());
    in.exceptionHandler(t -> clientGone());
    out.closeHandler(v -> clientGone());

    String contentLength = in.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean chunked = !http2 && in.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    long declared = -1;
    if (contentLength != null && !chunked) {
      try {
        declared = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        // The HTTP codec refuses such requests; this is only reachable from a non-conforming caller.
        failBeforeResponse(new Rejection.BadRequest("invalid_content_length", "Content-Length is not a number"), null);
        return result.future();
      }
    }
    requestHasBody = declared > 0 || chunked;
    if (declared > request.maxBodyBytes()) {
      failBeforeResponse(new Rejection.PayloadTooLarge(request.maxBodyBytes()), null);
      return result.future();
    }
    // HTTP/2 frames a body without Content-Length; only its end tells whether there was one.
    boolean mayHaveBody = requestHasBody || (http2 && declared < 0 && !in.isEnded());
    if (mayHaveBody) {
      bodyForwarded = System.nanoTime();
      armBodyTimer();
    }

    boolean webSocket =
        request.allowWebSocket()
            && in.version() == HttpVersion.HTTP_1_1
            && in.method() == HttpMethod.GET
            && HopByHop.isWebSocketUpgrade(in.headers());
    MultiMap headers =
        HopByHop.request(in.headers(), in.version(), webSocket, request.headerEdits(), forwarded, hop());
    if (in.method() == HttpMethod.HEAD) {
      // See reusable: the upstream and the client library close the connection after the answer,
      // before the pool can hand it to another request.
      headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    OptionalLong digestMax = request.signer().contentDigestMaxBody();
    if (digestMax.isEmpty() || webSocket) {
      if (!webSocket && mayHaveBody && declared <= bodies.bufferBytes() && bodies.bufferBytes() > 0) {
        // A small body is read whole before a pooled connection is taken, so a slow client holds
        // none while it sends; one that grows past the size streams after what was read.
        long max = request.maxBodyBytes();
        bufferBody(Math.min(bodies.bufferBytes(), max),
            body -> send(headers, false, Optional.of(body), Optional.empty()),
            prefix -> {
              if (prefix.length() > max) {
                failBeforeResponse(new Rejection.PayloadTooLarge(max), null);
              } else {
                send(headers, false, Optional.empty(), Optional.of(prefix));
              }
            });
      } else {
        send(headers, webSocket, Optional.empty(), Optional.empty());
      }
      return result.future();
    }
    // The signer computes Content-Digest: the client's may never reach the upstream unsigned.
    headers.remove(CONTENT_DIGEST);
    // HTTP/2 frames a body without Content-Length; only its end tells whether there was one.
    if (!requestHasBody && !(http2 && declared < 0)) {
      send(headers, false, Optional.empty(), Optional.empty());
      return result.future();
    }
    long limit = Math.min(digestMax.getAsLong(), request.maxBodyBytes());
    if (declared > limit) {
      failBeforeResponse(new Rejection.PayloadTooLarge(limit), null);
      return result.future();
    }
    bufferBody(limit,
        body -> send(headers, false, Optional.of(body), Optional.empty()),
        tooLarge -> failBeforeResponse(new Rejection.PayloadTooLarge(limit), null));
    return result.future();
  }

  /**
   * Signs the head and sends the request upstream: with {@code buffered}, the whole body (already
   * read, its digest signed if signing asks for one); without, the body streams after the head,
   * starting with {@code prefix}, what was read of it before.
   */
  private void send(MultiMap headers, boolean webSocket, Optional<Buffer> buffered, Optional<Buffer> prefix) {
    String target = upstream.target(request.pathAndQuery());
    Optional<byte[]> body = buffered.filter(b -> b.length() > 0).map(Buffer::getBytes);
    if (body.isPresent()) {
      // The whole body is known: send it with its length, whatever framing the client used.
      headers.remove(HttpHeaders.TRANSFER_ENCODING);
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.get().length));
    }
    request.signer().headersFor(in.method().name(), upstream.authority, target, headers, body).forEach(headers::set);
    RequestOptions options =
        new RequestOptions()
            .setMethod(in.method())
            .setHost(upstream.tlsName)
            .setPort(upstream.port)
            .setServer(upstream.address)
            .setURI(target)
            .setHeaders(headers)
            .setFollowRedirects(false)
            // Also bounds the wait for a free pooled connection when all max_connections are busy.
            .setConnectTimeout(upstream.connectTimeout.toMillis());

    upstream.request(options, result.future()).onComplete(ar -> {
      if (ar.failed()) {
        failBeforeResponse(UpstreamFailures.beforeResponse(upstream.name, ar.cause()), ar.cause());
        return;
      }
      HttpClientRequest upstreamRequest = ar.result();
      if (done) {
        // Never sent: the client went away (an HTTP/2 stream it reset) while the connection was
        // being found. Vert.x logs a reset without a handler at ERROR, one line per stream.
        upstreamRequest.exceptionHandler(t -> {});
        upstreamRequest.reset();
        return;
      }
      this.upstreamRequest = upstreamRequest;
      // Host is the url's authority, as signed; with server_name only TLS sees the configured name.
      upstreamRequest.authority(upstream.hostHeader);
      upstreamRequest.exceptionHandler(this::upstreamFailed);
      if (webSocket) {
        upgrade(upstreamRequest);
      } else {
        upstreamRequest.response().onComplete(r -> {
          if (r.succeeded()) {
            respond(r.result(), false);
          } else {
            upstreamFailed(r.cause());
          }
        });
        if (buffered.isPresent()) {
          requestBytes = buffered.get().length();
          upstreamRequest.end(buffered.get());
          upstreamRequest.idleTimeout(timeoutMillis());
        } else {
          sendBody(upstreamRequest, headers.contains(HttpHeaders.CONTENT_LENGTH), prefix);
        }
      }
    });
  }

  /**
   * Reads the client's whole body before anything is sent upstream, holding at most {@code limit}
   * bytes: {@code then} gets the whole body; or, at the chunk that would pass the limit, the
   * request is paused and {@code overflow} gets what was read, that chunk included. Each chunk is
   * taken from the process's {@link BufferBudget} (limits.buffer_body_total) until the exchange
   * ends; a chunk it cannot take refuses the request with 503 {@code bodies_busy}: the heap is
   * holding as many bodies as it may, and streaming it instead would hold an upstream connection.
   */
  private void bufferBody(long limit, Consumer<Buffer> then, Consumer<Buffer> overflow) {
    Buffer body = Buffer.buffer();
    if (requestEnded) {
      then.accept(body);
      return;
    }
    result.future().onComplete(ended -> bodies.buffers().release(bufferedBytes));
    boolean[] overflowed = {false};
    in.handler(chunk -> {
      if (done) {
        return;
      }
      if (!bodies.buffers().reserve(chunk.length())) {
        failBeforeResponse(new Rejection.Busy("bodies_busy", Duration.ofSeconds(1)), null);
        return;
      }
      bufferedBytes += chunk.length();
      // A chunk after the pause joins what sendBody writes first.
      bodyBytesRead += chunk.length();
      body.appendBuffer(chunk);
      if (overflowed[0]) {
        return;
      }
      if (body.length() > limit) {
        overflowed[0] = true;
        in.pause();
        overflow.accept(body);
      }
    });
    in.endHandler(v -> {
      bodyEnded();
      if (!done && !overflowed[0]) {
        then.accept(body);
      }
    });
    if (in.headers().contains(HttpHeaders.EXPECT, "100-continue", true) && !http2) {
      // As in sendBody: the declared length is within the limit, so the gateway invites the body.
      out.writeContinue();
    }
    in.resume();
  }

  private ForwardedHeaders.Hop hop() {
    SocketAddress remote = in.remoteAddress();
    Optional<InetAddress> peer =
        remote == null || remote.hostAddress() == null
            ? Optional.empty()
            : forwarded.peer(remote.hostAddress());
    String host;
    if (http2) {
      HostAndPort authority = in.authority();
      host = authority == null ? null : authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
    } else {
      host = in.getHeader(HttpHeaders.HOST);
    }
    return new ForwardedHeaders.Hop(peer, in.isSSL() ? "https" : "http", Optional.ofNullable(host));
  }

  /**
   * Streams the client's body upstream with back-pressure, counting it against the limit; {@code
   * prefix}, read before, goes first.
   */
  private void sendBody(HttpClientRequest upstreamRequest, boolean lengthKnown, Optional<Buffer> prefix) {
    prefix.ifPresent(chunk -> forwardChunk(upstreamRequest, lengthKnown, chunk, true));
    in.handler(chunk -> forwardChunk(upstreamRequest, lengthKnown, chunk, false));
    in.endHandler(v -> {
      bodyEnded();
      if (done) {
        return;
      }
      upstreamRequest.end();
      if (!responseStarted) {
        // Time to response headers runs from the moment the upstream has the whole request, so a
        // long upload is not cut by it; Vert.x cancels this timer when the headers arrive.
        upstreamRequest.idleTimeout(timeoutMillis());
      }
    });
    if (prefix.isEmpty() && in.headers().contains(HttpHeaders.EXPECT, "100-continue", true) && !http2) {
      // RFC 9110 section 10.1.1: Expect was not forwarded, so the gateway invites the body itself,
      // now that the upstream is connected and the declared length is within the limit.
      out.writeContinue();
    }
    in.resume();
  }

  private void forwardChunk(HttpClientRequest upstreamRequest, boolean lengthKnown, Buffer chunk, boolean read) {
    if (done) {
      return;
    }
    if (!read) {
      bodyBytesRead += chunk.length();
    }
    requestBytes += chunk.length();
    if (requestBytes > request.maxBodyBytes()) {
      if (responseStarted) {
        abort("request_body_too_large", null);
      } else {
        failBeforeResponse(new Rejection.PayloadTooLarge(request.maxBodyBytes()), null);
      }
      return;
    }
    if (!lengthKnown && !upstreamRequest.isChunked()) {
      upstreamRequest.setChunked(true);
    }
    upstreamRequest.write(chunk);
    if (upstreamRequest.writeQueueFull()) {
      in.pause();
      upstreamRequest.drainHandler(v -> {
        if (!done) {
          in.resume();
        }
      });
    }
  }

  /** Relays the upstream's response head, then its body with back-pressure. */
  private void respond(HttpClientResponse response, boolean upgrade) {
    if (done) {
      return;
    }
    int status = response.statusCode();
    if (status < 200) {
      // The client library takes any 1xx it does not know (102, or 101 without an upgrade) for
      // the final response; the real one would follow on the connection.
      upstreamRequest.connection().close();
      failBeforeResponse(UpstreamFailures.interim(upstream.name, status), null);
      return;
    }
    responseStarted = true;
    boolean reuse = reusable(in.method(), upgrade, requestEnded, response);
    out.setStatusCode(status);
    if (!http2 && response.statusMessage() != null) {
      out.setStatusMessage(response.statusMessage());
    }
    HopByHop.copyResponse(response.headers(), false, out.headers());
    boolean bodyless = in.method() == HttpMethod.HEAD || status == 204 || status == 304;
    if (!http2 && !bodyless && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      out.setChunked(true);
    }
    if (!http2 && !requestEnded && requestHasBody) {
      // The upstream answered before reading the whole body; what remains will not be forwarded,
      // so this connection cannot carry another request.
      out.putHeader(HttpHeaders.CONNECTION, "close");
      closeAfterReply = true;
    }
    response.exceptionHandler(t -> abort(t instanceof TimeoutException ? "upstream_timeout" : "upstream_reset", t));
    pump(response, out, n -> responseBytes += n);
    response.endHandler(v -> {
      if (!end()) {
        return;
      }
      if (!reuse) {
        upstreamRequest.connection().close();
      }
      if (!requestEnded) {
        discardClientBody();
      }
      if (closeAfterReply) {
        Lingering.closeWhenDrained(in, drainLimit);
      }
      out.end().onComplete(ar -> finish(
          ar.succeeded() ? new Responded(status, requestBytes, responseBytes) : new Aborted("client_closed"),
          ar.cause()));
    });
  }

  /**
   * Whether the upstream connection may carry another request once {@code response} has been read
   * to its end: only when both messages were delimited by HTTP/1.1 framing that the upstream and
   * the gateway read alike, so the next bytes on the connection are the next response's. Decided
   * when the response head arrives; {@code requestSent} is whether the whole request had been
   * handed to the client library by then. Not reusable:
   * <ul>
   *   <li>a request that carried {@code Upgrade} ({@code upgrade}), whatever the answer: after 101
   *       the connection is a tunnel, and after any other answer the library never completes the
   *       upgrade request, so the connection would stay leased or be reused mid-request (RFC 9110
   *       section 7.8: the server may ignore the upgrade, but the request remains open-ended);
   *   <li>a response that came before the request was sent whole: the upstream may never read the
   *       rest of the body, which would be read as the next request (RFC 9112 section 9.6: a
   *       client that sees such a response stops sending and closes);
   *   <li>{@code Connection: close} in the response, or an HTTP/1.0 response without {@code
   *       keep-alive} (RFC 9112 sections 9.3 and 9.6);
   *   <li>a response without self-defined length (neither {@code Content-Length} nor a {@code
   *       Transfer-Encoding} whose final coding is chunked, on a status that has a body): it ends
   *       when the connection closes (RFC 9112 sections 6.3 and 9.3: to remain persistent, all
   *       messages on a connection need a self-defined length);
   *   <li>the answer to {@code HEAD}: its end is known from the request, not from its bytes (RFC
   *       9112 section 6.3), so a body sent anyway would be read as the next client's response.
   *       The request carries {@code Connection: close} so that the connection is not pooled;
   *   <li>the answer to {@code CONNECT}: after a 2xx the connection is a tunnel, whatever
   *       {@code Content-Length} says (RFC 9110 section 9.3.6).
   * </ul>
   * Interim responses never get here: a 1xx the library treats as final answers 502, closing.
   */
  static boolean reusable(HttpMethod method, boolean upgrade, boolean requestSent, HttpClientResponse response) {
    if (upgrade || !requestSent || method == HttpMethod.HEAD || method == HttpMethod.CONNECT) {
      return false;
    }
    MultiMap headers = response.headers();
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (response.version() == HttpVersion.HTTP_1_0
        ? !hasToken(connection, "keep-alive")
        : hasToken(connection, "close")) {
      return false;
    }
    int status = response.statusCode();
    if (status == 204 || status == 304) {
      return true;
    }
    String transferEncoding = headers.get(HttpHeaders.TRANSFER_ENCODING);
    // RFC 9112 section 6.3: chunked must be the final coding, else the body ends at close.
    return transferEncoding == null
        ? headers.contains(HttpHeaders.CONTENT_LENGTH)
        : endsWithToken(transferEncoding, "chunked");
  }

  /**
   * Whether the comma-separated list {@code value} (one header line, may be null) has {@code
   * token}, in any case, with optional whitespace around it. Allocates nothing.
   */
  static boolean hasToken(String value, String token) {
    if (value == null) return false;
    int start = 0;
    while (start <= value.length()) {
      int end = value.indexOf(',', start);
      if (end < 0) end = value.length();
      int from = start;
      int to = end;
      while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) from++;
      while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) to--;
      if (to - from == token.length() && value.regionMatches(true, from, token, 0, token.length())) return true;
      start = end + 1;
    }
    return false;
  }

  /** Whether the last element of the comma-separated list {@code value} is {@code token}, in any case. */
  static boolean endsWithToken(String value, String token) {
    int to = value.length();
    while (to > 0 && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) to--;
    int from = to - token.length();
    if (from < 0 || !value.regionMatches(true, from, token, 0, token.length())) return false;
    while (from > 0 && (value.charAt(from - 1) == ' ' || value.charAt(from - 1) == '\t')) from--;
    return from == 0 || value.charAt(from - 1) == ',';
  }

  /**
   * Forwards an admitted WebSocket upgrade. On 101 the two connections are spliced byte for byte;
   * any other answer is relayed as a normal response.
   */
  private void upgrade(HttpClientRequest upstreamRequest) {
    upstreamRequest.connect().onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(ar.cause());
        return;
      }
      HttpClientResponse response = ar.result();
      if (done) {
        return;
      }
      if (response.statusCode() != 101) {
        respond(response, true);
        return;
      }
      responseStarted = true;
      tunnelling = true;
      NetSocket upstreamSocket = response.netSocket();
      upstreamSocket.pause();
      out.setStatusCode(101);
      HopByHop.copyResponse(response.headers(), true, out.headers());
      in.toNetSocket().onComplete(s -> {
        if (s.failed()) {
          end();
          upstreamSocket.close();
          finish(new Aborted("websocket_upgrade_failed"), s.cause());
          return;
        }
        splice(s.result(), upstreamSocket);
      });
    });
    upstreamRequest.idleTimeout(timeoutMillis());
  }

  private void splice(NetSocket client, NetSocket upstreamSocket) {
    client.closeHandler(v -> closeTunnel(upstreamSocket));
    upstreamSocket.closeHandler(v -> closeTunnel(client));
    client.exceptionHandler(t -> client.close());
    upstreamSocket.exceptionHandler(t -> upstreamSocket.close());
    Tunnel.splice(client, upstreamSocket, n -> requestBytes += n, n -> responseBytes += n);
  }

  private void closeTunnel(NetSocket other) {
    if (end()) {
      other.close();
      finish(new Responded(101, requestBytes, responseBytes), null);
    }
  }

  private static void pump(ReadStream<Buffer> from, WriteStream<Buffer> to, LongConsumer count) {
    from.handler(chunk -> {
      count.accept(chunk.length());
      to.write(chunk);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
  }

  private void upstreamFailed(Throwable failure) {
    if (done) {
      return;
    }
    if (responseStarted) {
      abort(failure instanceof TimeoutException ? "upstream_timeout" : "upstream_reset", failure);
    } else {
      failBeforeResponse(UpstreamFailures.beforeResponse(upstream.name, failure), failure);
    }
  }

  private void clientGone() {
    if (tunnelling || !end()) {
      return;
    }
    if (upstreamRequest != null) {
      upstreamRequest.reset();
    }
    finish(new Aborted("client_closed"), null);
  }

  /** Nothing was sent to the client: leave it ready for the caller's reply. */
  private void failBeforeResponse(Rejection rejection, Throwable cause) {
    if (!end()) {
      return;
    }
    if (upstreamRequest != null) {
      upstreamRequest.reset();
    }
    if (!http2 && !requestEnded && requestHasBody) {
      out.putHeader(HttpHeaders.CONNECTION, "close");
    }
    discardClientBody();
    finish(new Failed(rejection), cause);
  }

  /** The response had started: cut both sides so the client cannot mistake a partial body for a whole. */
  private void abort(String reason, Throwable cause) {
    if (!end()) {
      return;
    }
    if (upstreamRequest != null) {
      upstreamRequest.reset();
    }
    out.reset();
    finish(new Aborted(reason), cause);
  }

  /**
   * Reads and drops what is left of the client's body: the client may not read our reply before it
   * has written its body, and a paused request would keep the connection from ever moving on.
   */
  private void discardClientBody() {
    if (requestEnded) {
      return;
    }
    in.handler(chunk -> {});
    in.endHandler(v -> bodyEnded());
    in.resume();
  }

  private void bodyEnded() {
    requestEnded = true;
    cancelBodyTimer();
  }

  private void cancelBodyTimer() {
    if (bodyTimer >= 0) {
      vertx.cancelTimer(bodyTimer);
      bodyTimer = -1;
    }
  }

  /**
   * Sets the body's timer for the earlier of {@link BodyLimits#timeout()} and the moment the bytes
   * read so far stop meeting {@link BodyLimits#minRate()}; when it fires with the body still on
   * time for the rate, it is set again for the new moment.
   */
  private void armBodyTimer() {
    bodyTimer = -1;
    if (done || requestEnded) {
      return;
    }
    long due = bodyForwarded + bodies.timeout().toNanos();
    if (bodies.minRate() > 0) {
      long earned = bodyBytesRead >= Long.MAX_VALUE / 1_000_000_000L
          ? Long.MAX_VALUE / 2
          : bodyBytesRead * 1_000_000_000L / bodies.minRate();
      due = Math.min(due, bodyForwarded + bodies.grace().toNanos() + earned);
    }
    long wait = due - System.nanoTime();
    if (wait <= 0) {
      bodyTimedOut();
      return;
    }
    bodyTimer = vertx.setTimer(Math.max(1, wait / 1_000_000), id -> armBodyTimer());
  }

  /**
   * The client did not send its whole body within {@link BodyLimits#timeout()}, or fell below
   * {@link BodyLimits#minRate()}: 408 if nothing was
   * answered yet, else both sides are cut. Either way the upstream request is reset, which closes
   * its connection instead of returning it to the pool mid-message.
   */
  private void bodyTimedOut() {
    if (responseStarted) {
      abort("request_body_timeout", null);
    } else {
      failBeforeResponse(new Rejection.RequestTimeout(), null);
    }
  }

  /**
   * Claims the one ending of this exchange; false if it already ended. Called before any side
   * effect of ending: resetting the upstream request calls its handlers synchronously, and completing
   * the result runs the caller's reply, so a second path must find the exchange already over.
   */
  private boolean end() {
    if (done) {
      return false;
    }
    done = true;
    return true;
  }

  /** Completes the result; the caller's continuation runs now, so every write to out comes first. */
  private void finish(Proxied outcome, Throwable cause) {
    cancelBodyTimer();
    if (outcome instanceof Failed f && f.rejection() instanceof Rejection.BadGateway b && b.code().equals(UpstreamFailures.TLS)) {
      // The handshake's reason (untrusted chain, name mismatch, no client certificate) is the fix.
      upstream.tlsFailed(UpstreamFailures.tlsReason(cause));
    }
    if (LOG.isDebugEnabled() && !(outcome instanceof Responded)) {
      // Only the class of the cause: Vert.x messages can carry the request target and its query.
      // The request id, not the path: a path can hold a credential, and the access-log line of
      // this id has the target with credentials redacted.
      LOG.debug(
          "request {} {} via upstream '{}': {}{}",
          out.headers().get("X-Request-Id"),
          in.method(),
          upstream.name,
          outcome,
          cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")");
    }
    result.complete(outcome);
  }

  private long timeoutMillis() {
    return request.timeout().orElse(upstream.timeout).toMillis();
  }
}
