package gatehouse.server;

import gatehouse.identity.RequestSigner;
import gatehouse.observe.Observer;
import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Lingering;
import gatehouse.proxy.Occupancy;
import gatehouse.proxy.Proxied;
import gatehouse.proxy.ProxyRequest;
import gatehouse.proxy.Upstreams;
import gatehouse.route.HostHeader;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The HTTP glue of one event loop: refuses requests whose framing could be read two ways, runs the
 * pipeline of the current {@link Snapshot}, then either proxies or writes the rejection. Holds no
 * per-request state of its own.
 */
final class GatewayHandler implements Handler<HttpServerRequest> {
  private final CurrentSnapshot snapshots;
  private final Function<Snapshot.UpstreamSpecs, Upstreams> upstreams;
  private final RequestIds requestIds;
  /** The listener's TLS when it asks for client certificates. */
  private final Optional<ListenerTls> clientCertificates;
  private final Duration drainLimit;
  /** {@code limits.max_header_fields}; HTTP/1 heads are held to it as they are read ({@link HeaderFieldLimit}). */
  private final int maxHeaderFields;
  private final Drain drain;

  /**
   * @param snapshots read once per request: that snapshot's pipeline, signers, upstreams and
   *     observer serve the request to its end
   * @param upstreams this event loop's upstream clients for a snapshot's upstream specs
   * @param drainLimit how long a refused client may take to finish sending a body the gateway reads
   *     only to drop, once the reply is written; then its connection closes
   * @param maxHeaderFields header fields an HTTP/2 request may have; 431 past it
   * @param drain told of each request's end, once it is recorded
   */
  GatewayHandler(CurrentSnapshot snapshots, Function<Snapshot.UpstreamSpecs, Upstreams> upstreams, RequestIds requestIds,
      Optional<ListenerTls> clientCertificates, Duration drainLimit, int maxHeaderFields, Drain drain) {
    this.maxHeaderFields = maxHeaderFields;
    this.drain = drain;
    this.snapshots = snapshots;
    this.upstreams = upstreams;
    this.requestIds = requestIds;
    this.clientCertificates = clientCertificates;
    this.drainLimit = drainLimit;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.pause();
    long started = System.nanoTime();
    // Left when the request is recorded, its one ending: a replaced snapshot drains then.
    CurrentSnapshot.Lease lease = snapshots.enter();
    Snapshot snapshot = lease.snapshot();
    Observer observer = snapshot.observer();
    String id = requestIds.next();
    String host = host(request);
    String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    String method = request.method().name();
    RequestHead head = new RequestHead(method, request.uri(), host, request.headers(),
        clientCertificates.isEmpty() ? Optional.empty() : clientCertificate(request, clientCertificates.get()),
        snapshot.clientAddresses().of(peer, request.headers()),
        snapshot.tracing().start(request.headers(), snapshot.clientAddresses().trustsPeer(peer), method));

    Optional<Rejection> framing = framingProblem(request, maxHeaderFields);
    if (framing.isEmpty()) framing = hostProblem(request, host);
    if (framing.isPresent()) {
      Outcome outcome = new Outcome.Reject(framing.get(), Optional.empty(), Optional.empty());
      reject(request, id, framing.get());
      recorded(observer, id, head, outcome, Optional.empty(), started);
      lease.close();
      return;
    }

    Future<Outcome> decided;
    try {
      decided = snapshot.pipeline().process(head);
    } catch (RuntimeException | AssertionError bug) {
      decided = Future.failedFuture(bug);
    }
    Waiting waiting = new Waiting(request);
    if (request.version() == HttpVersion.HTTP_2) {
      // A stream reset before it is forwarded (rapid reset, CVE-2023-44487) is let go at once.
      // Held to its pipeline's end, or to the next turn below, tens of thousands of them (about
      // 9 KiB of Vert.x and Netty state each) filled the heap: behind a slow stage (an API-key
      // lookup), or read 200 to a connection on 50 connections in one turn of the event loop.
      // Resumed so that its queued events are delivered and Vert.x lets go of it too. The proxy
      // replaces this handler with its own once it takes the stream.
      // A client that resets most of its streams so is cut off at once (PrematureResets).
      PrematureResets.begun(request);
      request.response().closeHandler(v -> {
        waiting.request = null;
        if (!request.isEnded()) request.resume();
        PrematureResets.closed(request, started, System.nanoTime());
      });
    }
    decided.onComplete(ar -> {
      HttpServerRequest live = waiting.request;
      if (live != null) {
        decided(lease, waiting, live, id, head, started, ar);
      } else {
        abandoned(lease, id, head, started, ar);
      }
    });
  }

  /** Records a request's end: its access-log line and metrics, and that it no longer holds up a stop. */
  private void recorded(Observer observer, String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long started) {
    observer.record(id, head, outcome, proxied, started);
    drain.ended();
  }

  /** Carries a request until it is forwarded or answered; null once its HTTP/2 stream closed. Event-loop confined. */
  private static final class Waiting {
    HttpServerRequest request;

    Waiting(HttpServerRequest request) {
      this.request = request;
    }
  }

  /** Answers, or forwards, {@code request} as its pipeline decided. */
  private void decided(CurrentSnapshot.Lease lease, Waiting waiting, HttpServerRequest request, String id, RequestHead head,
      long started, AsyncResult<Outcome> ar) {
    Observer observer = lease.snapshot().observer();
    if (ar.failed()) {
      snapshots.failures().error("pipeline", "request {} failed inside the pipeline", id, ar.cause());
      Rejection internal = new Rejection.InternalError();
      reject(request, id, internal);
      recorded(observer, id, head, new Outcome.Reject(internal, Optional.empty(), Optional.empty()), Optional.empty(), started);
      lease.close();
      return;
    }
    Outcome outcome = ar.result();
    if (outcome instanceof Outcome.Reject r) {
      reject(request, id, r.rejection());
      recorded(observer, id, head, outcome, Optional.empty(), started);
      lease.close();
    } else if (outcome instanceof Outcome.Forward f) {
      Context context = Vertx.currentContext();
      if (request.version() == HttpVersion.HTTP_2 && context != null) {
        // A client's RST_STREAM usually arrives in the same read as its HEADERS, and the codec
        // reads it only after this turn: forwarding now would send, on an idle pooled
        // connection, a request its client has already cancelled (rapid reset, CVE-2023-44487).
        // One turn later the reset has been read and the stream let go.
        context.runOnContext(v -> {
          HttpServerRequest live = waiting.request;
          if (live != null) {
            forward(lease, live, id, head, f, started);
          } else {
            abandoned(lease, id, head, started, Future.succeededFuture(f));
          }
        });
      } else {
        forward(lease, request, id, head, f, started);
      }
    } else {
      throw new AssertionError("unknown outcome " + outcome);
    }
  }

  /** Records a request whose stream closed while its pipeline ran: nothing is written, nothing forwarded. */
  private void abandoned(CurrentSnapshot.Lease lease, String id, RequestHead head, long started, AsyncResult<Outcome> ar) {
    Snapshot snapshot = lease.snapshot();
    if (ar.failed()) {
      snapshots.failures().error("pipeline", "request {} failed inside the pipeline", id, ar.cause());
      recorded(snapshot.observer(), id, head, new Outcome.Reject(new Rejection.InternalError(), Optional.empty(), Optional.empty()),
          Optional.empty(), started);
    } else if (ar.result() instanceof Outcome.Forward f) {
      recorded(snapshot.observer(), id, head, f, Optional.of(new Proxied.Aborted("client_closed")), started);
    } else {
      recorded(snapshot.observer(), id, head, ar.result(), Optional.empty(), started);
    }
    lease.close();
  }

  private void forward(CurrentSnapshot.Lease lease, HttpServerRequest request, String id, RequestHead head, Outcome.Forward f,
      long started) {
    Snapshot snapshot = lease.snapshot();
    if (request.response().closed()) {
      // The client reset the stream or closed the connection while the pipeline ran: nothing to send.
      // Resumed so that the stream's queued events (its end, its reset) are delivered: Vert.x holds
      // a paused HTTP/2 stream, about 7 KiB of heap, until they are.
      if (!request.isEnded()) request.resume();
      recorded(snapshot.observer(), id, head, f, Optional.of(new Proxied.Aborted("client_closed")), started);
      lease.close();
      return;
    }
    request.response().putHeader("X-Request-Id", id);
    f.responseHeaders().forEach(request.response()::putHeader);
    Optional<Occupancy.Slot> slot = snapshots.occupancy().take(f.route().id(), f.route().maxConcurrent());
    if (slot.isEmpty()) {
      Rejection busy = new Rejection.Busy("route_busy", Occupancy.RETRY_AFTER);
      reject(request, id, busy);
      recorded(snapshot.observer(), id, head, new Outcome.Reject(busy, Optional.of(f.route()), f.credentialFingerprint(),
          f.identity()), Optional.empty(), started);
      lease.close();
      return;
    }
    RequestSigner signing = snapshot.signers().forUpstream(f.route().upstream()).forRequest(f.identity());
    ProxyRequest proxyRequest = new ProxyRequest(
        f.route().upstream(),
        f.upstreamTarget(),
        f.edits().andThen(headers -> {
          headers.set("X-Request-Id", id);
          head.trace().propagate(headers);
        }),
        f.route().timeout(),
        f.route().maxBodyBytes(),
        f.route().websocket(),
        signing);
    Future<Proxied> proxying;
    try {
      proxying = snapshot.breakers().guard(snapshot.upstreams().upstreams().get(f.route().upstream()), f.route().id(),
          () -> upstreams.apply(snapshot.upstreams()).forward(request, proxyRequest));
    } catch (RuntimeException bug) {
      slot.get().release();
      lease.close();
      throw bug;
    }
    proxying.onComplete(ar -> {
      // The future completes once, at the exchange's one ending, whichever it is (an open breaker's
      // refusal included).
      slot.get().release();
      Proxied proxied = ar.succeeded() ? ar.result() : new Proxied.Failed(new Rejection.InternalError());
      if (ar.failed()) snapshots.failures().error("proxy", "request {} failed inside the proxy", id, ar.cause());
      if (proxied instanceof Proxied.Failed failed && !request.response().headWritten()) {
        reject(request, id, failed.rejection());
      } else if (proxied instanceof Proxied.Aborted aborted && aborted.reason().equals("client_closed")) {
        PrematureResets.closed(request, started, System.nanoTime());
      }
      recorded(snapshot.observer(), id, head, f, Optional.of(proxied), started);
      lease.close();
    });
  }

  /**
   * Writes {@code rejection}. A request that may have a body still unread closes its HTTP/1
   * connection once the reply is written and the body read and dropped ({@link Lingering}); one
   * without a body keeps it, so a client that is refused (a 401 before a token refresh, a 429) need
   * not connect again.
   */
  private void reject(HttpServerRequest request, String id, Rejection rejection) {
    if (request.response().headWritten()) {
      request.connection().close();
      return;
    }
    if (request.version() != HttpVersion.HTTP_2 && (closing(request.response().headers())
        || !request.isEnded() && mayHaveBody(request.headers()))) {
      request.response().putHeader("Connection", "close");
      Lingering.closeWhenDrained(request, drainLimit);
    }
    // Resuming an HTTP/2 request whose body was read throws; a 502 after an upstream's late TLS
    // alert (TLS 1.3 refuses client certificates after the request was sent) comes exactly then.
    if (!request.isEnded()) request.resume();
    ErrorResponses.write(rejection, id, request.response());
  }

  /** Whether the reply already says {@code Connection: close} (the proxy found the body would not be forwarded). */
  private static boolean closing(MultiMap responseHeaders) {
    String connection = responseHeaders.get("Connection");
    return connection != null && connection.equalsIgnoreCase("close");
  }

  /**
   * RFC 9112 section 6.3: an HTTP/1 request without Transfer-Encoding has a body only when its one
   * Content-Length is above zero. Anything else (chunked, several lengths, a length that is not
   * a plain 0) counts as a body.
   */
  static boolean mayHaveBody(MultiMap headers) {
    if (headers.contains("Transfer-Encoding")) return true;
    List<String> lengths = headers.getAll("Content-Length");
    if (lengths.isEmpty()) return false;
    return lengths.size() > 1 || !lengths.get(0).equals("0");
  }

  /** Decoder failures (line or headers too long, malformed) arrive here instead of {@link #handle}. */
  static void invalid(HttpServerRequest request, RequestIds ids) {
    Throwable cause = request.decoderResult().cause();
    Rejection rejection;
    if (cause instanceof TooLongHttpLineException) {
      rejection = new Rejection.RequestLineTooLong();
    } else if (cause instanceof TooLongHttpHeaderException) {
      rejection = new Rejection.HeadersTooLarge();
    } else if (cause instanceof ContentLengthNotAllowedException) {
      // RFC 9112 section 6.3 lets a server read such a message as chunked; the decoder refuses it
      // instead, which is the safer reading: the message means different things to different parsers.
      rejection = new Rejection.BadRequest("ambiguous_framing", "both Content-Length and Transfer-Encoding");
    } else {
      rejection = new Rejection.BadRequest("malformed_request", "the request could not be parsed");
    }
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().putHeader("Connection", "close");
      ErrorResponses.write(rejection, ids.next(), request.response());
      return;
    }
    // The decoder could not read the head, so the version it reports may be its placeholder
    // (HTTP/1.0 for a request line it gave up on); the reply is HTTP/1.1 and ends the connection.
    RawReplies.refuseAndClose(request.connection(), rejection, ids.next());
  }

  /**
   * RFC 9112 section 6.3: a message with both Transfer-Encoding and Content-Length, or with
   * differing Content-Length values, could be framed differently by the upstream (request
   * smuggling).
   */
  private static Optional<Rejection> framingProblem(HttpServerRequest request, int maxHeaderFields) {
    if (request.version() == HttpVersion.HTTP_2) {
      // HTTP/1 heads are counted as they are read (HeaderFieldLimit); an HTTP/2 stream's fields
      // arrive whole, bounded in bytes by SETTINGS_MAX_HEADER_LIST_SIZE, and are let go with it.
      return fieldCount(request.headers()) > maxHeaderFields ? Optional.of(new Rejection.HeadersTooLarge()) : Optional.empty();
    }
    List<String> lengths = request.headers().getAll("Content-Length");
    if (!lengths.isEmpty() && request.headers().contains("Transfer-Encoding")) {
      return Optional.of(new Rejection.BadRequest("ambiguous_framing", "both Content-Length and Transfer-Encoding"));
    }
    if (lengths.size() > 1 || (lengths.size() == 1 && lengths.get(0).contains(","))) {
      return Optional.of(new Rejection.BadRequest("ambiguous_framing", "more than one Content-Length"));
    }
    List<String> te = request.headers().getAll("Transfer-Encoding");
    if (te.size() > 1 || (te.size() == 1 && !te.get(0).strip().equalsIgnoreCase("chunked"))) {
      return Optional.of(new Rejection.BadRequest("ambiguous_framing", "Transfer-Encoding other than a single chunked"));
    }
    if (request.headers().contains("")) {
      // RFC 9110 section 5.1: a field name is a token, at least one character; the decoder lets ": x" through.
      return Optional.of(new Rejection.BadRequest("malformed_request", "a header field has an empty name"));
    }
    return Optional.empty();
  }

  private static int fieldCount(MultiMap headers) {
    int n = 0;
    for (var ignored : headers) n++;
    return n;
  }

  /**
   * RFC 9112 section 3.2: an HTTP/1.1 request has exactly one Host, any request at most one, and
   * a Host must be valid ({@link HostHeader}). RFC 9113 section 8.3.1: an HTTP/2 request has
   * {@code :authority} or Host, and it is held to the same syntax. Checked before routing, so an
   * invalid or doubled Host is never matched against a route nor copied into
   * {@code X-Forwarded-Host} or {@code Forwarded}.
   *
   * <p>HTTP/2: Vert.x parses {@code :authority} (else Host) into {@link HttpServerRequest#authority()},
   * and itself resets a stream whose {@code :authority} does not parse or whose first Host differs
   * from it; {@code host} is then that authority as Vert.x prints it, and a second Host is still
   * in the headers when {@code :authority} was sent.
   *
   * @param host {@link #host}'s value for this request
   */
  private static Optional<Rejection> hostProblem(HttpServerRequest request, String host) {
    if (request.headers().getAll("Host").size() > 1) {
      return Optional.of(new Rejection.BadRequest("bad_host", "more than one Host header"));
    }
    if (host == null) {
      if (request.version() == HttpVersion.HTTP_1_0) return Optional.empty();
      return Optional.of(new Rejection.BadRequest("bad_host", request.version() == HttpVersion.HTTP_2
          ? "an HTTP/2 request needs :authority or Host" : "an HTTP/1.1 request needs exactly one Host header"));
    }
    if (!HostHeader.isValid(host)) {
      return Optional.of(new Rejection.BadRequest("bad_host", "the Host header is not a valid host[:port]"));
    }
    return Optional.empty();
  }

  /** The client certificate's leaf when the gateway verified its chain; an untrusted or expired one is none. */
  private static Optional<X509Certificate> clientCertificate(HttpServerRequest request, ListenerTls tls) {
    return request.isSSL() ? tls.verifiedClientCertificate(request.connection().sslSession()) : Optional.empty();
  }

  /** The authority the client asked for: HTTP/2's {@code :authority} (else Host), HTTP/1's Host; null when none. */
  private static String host(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      return request.authority() == null ? null : request.authority().toString();
    }
    return request.getHeader("Host");
  }
}
