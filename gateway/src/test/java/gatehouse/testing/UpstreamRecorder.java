package gatehouse.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one test upstream of the suite: an HTTP server on {@code 127.0.0.1} and a free port that
 * records every request it receives (method, raw target, headers in order with duplicates, body
 * size and SHA-256) and answers as told by {@link #replyWith}: by default 200 with a small JSON
 * echo. A request is recorded once its body has been read (or the client gave up on it), before the
 * reply, so a test that holds a response can assert on {@link #lastRequest()} at once.
 *
 * <pre>{@code
 * try (var upstream = UpstreamRecorder.start(vertx)) {
 *   upstream.replyWith(Reply.status(201).header("Location", "/x").body("{}"));
 *   ... send through the gateway to upstream.url() ...
 *   assertEquals("/orders?id=1", upstream.lastRequest().target());
 * }
 * }</pre>
 */
public final class UpstreamRecorder implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final List<Short> webSocketCloses = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private final AtomicLong openBodyBytes = new AtomicLong();
  private volatile Reply reply = Reply.echo();

  private record Waiter(int count, CompletableFuture<List<Recorded>> future) {}

  private final boolean tls;

  private UpstreamRecorder(Vertx vertx, HttpServerOptions options) {
    this.vertx = vertx;
    this.tls = options.isSsl();
    this.server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0)).requestHandler(this::handle);
  }

  /** Starts a recorder on 127.0.0.1 and a free port; call from a test thread, not an event loop. */
  public static UpstreamRecorder start(Vertx vertx) {
    return start(vertx, new HttpServerOptions());
  }

  /** As {@link #start(Vertx)}, with {@code options} (TLS, say); host and port are set here. */
  public static UpstreamRecorder start(Vertx vertx, HttpServerOptions options) {
    UpstreamRecorder recorder = new UpstreamRecorder(vertx, options);
    await(recorder.server.listen());
    return recorder;
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>}, for an upstream's {@code url}. */
  public String url() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port();
  }

  /** How to answer every following request, until told otherwise. */
  public void replyWith(Reply reply) {
    this.reply = Objects.requireNonNull(reply);
  }

  /** Every request recorded so far, oldest first. */
  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** The newest request; fails the test if there was none. */
  public Recorded lastRequest() {
    List<Recorded> all = requests();
    if (all.isEmpty()) {
      throw new AssertionError("the upstream received no request");
    }
    return all.get(all.size() - 1);
  }

  /** Waits up to 10 s until at least {@code count} requests were recorded; fails the test if not. */
  public List<Recorded> awaitRequests(int count) {
    CompletableFuture<List<Recorded>> future = new CompletableFuture<>();
    waiters.add(new Waiter(count, future));
    notifyWaiters();
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          "expected " + count + " requests at the upstream, got " + requests.size(), e);
    }
  }

  /** The status code of each echoed WebSocket's close frame, as they closed (null: closed without one). */
  public List<Short> webSocketCloseCodes() {
    return java.util.Collections.unmodifiableList(new ArrayList<>(webSocketCloses));
  }

  /** Body bytes received so far on requests not yet recorded (their body has not ended). */
  public long openRequestBodyBytes() {
    return openBodyBytes.get();
  }

  @Override
  public void close() {
    await(server.close());
  }

  private void record(Recorded recorded) {
    requests.add(recorded);
    notifyWaiters();
  }

  private void notifyWaiters() {
    for (Waiter waiter : waiters) {
      if (requests.size() >= waiter.count()) {
        waiter.future().complete(requests());
        waiters.remove(waiter);
      }
    }
  }

  private void handle(HttpServerRequest request) {
    Reply reply = this.reply;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    request.headers().forEach(h -> headers.add(Map.entry(h.getKey(), h.getValue())));
    if (reply.kind == Kind.WEBSOCKET_ECHO) {
      record(new Recorded(request.method().name(), request.uri(), request.version(), headers, 0, Sha256.EMPTY, true, peerPort(request)));
      if (!request.canUpgradeToWebSocket()) {
        request.response().setStatusCode(400).end("not a websocket upgrade");
        return;
      }
      request.toWebSocket().onSuccess(ws -> {
        ws.textMessageHandler(ws::writeTextMessage);
        ws.binaryMessageHandler(ws::writeBinaryMessage);
        ws.closeHandler(v -> webSocketCloses.add(ws.closeStatusCode()));
      });
      return;
    }
    Sha256 body = new Sha256();
    boolean[] recorded = {false};
    request.handler(chunk -> {
      body.update(chunk);
      openBodyBytes.addAndGet(chunk.length());
    });
    request.exceptionHandler(t -> {
      if (!recorded[0]) {
        recorded[0] = true;
        openBodyBytes.addAndGet(-body.bytes());
        record(new Recorded(request.method().name(), request.uri(), request.version(), headers, body.bytes(), body.hex(), false, peerPort(request)));
      }
    });
    request.endHandler(v -> {
      recorded[0] = true;
      openBodyBytes.addAndGet(-body.bytes());
      Recorded r = new Recorded(request.method().name(), request.uri(), request.version(), headers, body.bytes(), body.hex(), true, peerPort(request));
      record(r);
      if (reply.delay.isZero()) {
        answer(request, r, reply);
      } else {
        vertx.setTimer(reply.delay.toMillis(), id -> answer(request, r, reply));
      }
    });
  }

  private static int peerPort(HttpServerRequest request) {
    return request.remoteAddress() == null ? -1 : request.remoteAddress().port();
  }

  private void answer(HttpServerRequest request, Recorded recorded, Reply reply) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      return;
    }
    switch (reply.kind) {
      case ECHO -> {
        JsonObject echo =
            new JsonObject()
                .put("method", recorded.method())
                .put("target", recorded.target())
                .put("bodyBytes", recorded.bodyBytes())
                .put("bodySha256", recorded.bodySha256());
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(echo.encode());
      }
      case FIXED -> {
        response.setStatusCode(reply.status);
        reply.headers.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
        if (reply.body == null) {
          response.end();
        } else {
          response.end(Buffer.buffer(reply.body));
        }
      }
      case GENERATED -> {
        response.setStatusCode(reply.status);
        reply.headers.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
        GeneratedBody generated = GeneratedBody.ofSize(reply.generatedBytes);
        if (reply.chunked) {
          response.setChunked(true);
        } else {
          response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(generated.size()));
        }
        generated.writeTo(response).onSuccess(sha -> response.end());
      }
      case CLOSE -> request.connection().close();
      case CLOSE_MID_BODY -> {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(reply.generatedBytes * 2));
        GeneratedBody.ofSize(reply.generatedBytes).writeTo(response)
            .onSuccess(sha -> vertx.setTimer(50, id -> request.connection().close()));
      }
      case WEBSOCKET_ECHO -> throw new AssertionError("handled on arrival");
      default -> throw new AssertionError(reply.kind);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * One request as the upstream saw it.
   *
   * @param target the request target exactly as on the request line
   * @param headers every header line in order, duplicates included
   * @param bodyComplete false when the connection went away before the body ended
   * @param peerPort the client's source port: requests with the same one came on one connection
   */
  public record Recorded(
      String method,
      String target,
      HttpVersion version,
      List<Map.Entry<String, String>> headers,
      long bodyBytes,
      String bodySha256,
      boolean bodyComplete,
      int peerPort) {

    public Recorded {
      headers = List.copyOf(headers);
    }

    /** Every value of {@code name}, case-insensitively, in order. */
    public List<String> headers(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    /** The first value of {@code name}, case-insensitively. */
    public Optional<String> header(String name) {
      return headers(name).stream().findFirst();
    }

    /** The header names as received, in order. */
    public List<String> headerNames() {
      return headers.stream().map(Map.Entry::getKey).toList();
    }
  }

  private enum Kind { ECHO, FIXED, GENERATED, CLOSE, CLOSE_MID_BODY, WEBSOCKET_ECHO }

  /** How the recorder answers. Immutable; the builder methods return copies. */
  public static final class Reply {
    private final Kind kind;
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    private final long generatedBytes;
    private final boolean chunked;
    private final Duration delay;

    private Reply(Kind kind, int status, List<Map.Entry<String, String>> headers, byte[] body,
        long generatedBytes, boolean chunked, Duration delay) {
      this.kind = kind;
      this.status = status;
      this.headers = List.copyOf(headers);
      this.body = body;
      this.generatedBytes = generatedBytes;
      this.chunked = chunked;
      this.delay = delay;
    }

    private static Reply of(Kind kind, int status) {
      return new Reply(kind, status, List.of(), null, 0, false, Duration.ZERO);
    }

    /** 200, {@code application/json}: method, target, bodyBytes, bodySha256 of the request. */
    public static Reply echo() {
      return of(Kind.ECHO, 200);
    }

    /** {@code status} with no body unless {@link #body} is given. */
    public static Reply status(int status) {
      return of(Kind.FIXED, status);
    }

    /** 200 with {@code bytes} of {@link GeneratedBody}, sent with Content-Length unless {@link #chunked()}. */
    public static Reply generated(long bytes) {
      return new Reply(Kind.GENERATED, 200, List.of(), null, bytes, false, Duration.ZERO);
    }

    /** Closes the connection instead of answering: the client sees it closed before any header. */
    public static Reply closeConnection() {
      return of(Kind.CLOSE, 0);
    }

    /**
     * 200 declaring {@code 2 * bytes} of Content-Length, sends {@code bytes} of them, then closes
     * the connection: a response that breaks after it started.
     */
    public static Reply closeAfter(long bytes) {
      return new Reply(Kind.CLOSE_MID_BODY, 200, List.of(), null, bytes, false, Duration.ZERO);
    }

    /** Accepts a WebSocket upgrade and echoes every message. */
    public static Reply webSocketEcho() {
      return of(Kind.WEBSOCKET_ECHO, 101);
    }

    /** Adds a header line (repeatable: duplicates are sent as separate lines). */
    public Reply header(String name, String value) {
      List<Map.Entry<String, String>> more = new ArrayList<>(headers);
      more.add(Map.entry(name, value));
      return new Reply(kind, status, more, body, generatedBytes, chunked, delay);
    }

    public Reply body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    public Reply body(byte[] bytes) {
      return new Reply(kind, status, headers, bytes.clone(), generatedBytes, chunked, delay);
    }

    /** Sends a generated body with chunked transfer coding instead of Content-Length. */
    public Reply chunked() {
      return new Reply(kind, status, headers, body, generatedBytes, true, delay);
    }

    /** Waits this long (a Vert.x timer) after reading the request before answering. */
    public Reply afterDelay(Duration delay) {
      return new Reply(kind, status, headers, body, generatedBytes, chunked, delay);
    }
  }

  /**
   * A deterministic body of any size, made on the fly in 64 KiB chunks (never held whole), written
   * with back-pressure. Two instances of one size produce the same bytes.
   */
  public static final class GeneratedBody {
    private static final int CHUNK = 64 * 1024;
    private static final byte[] TEMPLATE = new byte[CHUNK];

    static {
      new Random(20240613L).nextBytes(TEMPLATE);
    }

    private final long size;

    private GeneratedBody(long size) {
      this.size = size;
    }

    public static GeneratedBody ofSize(long size) {
      return new GeneratedBody(size);
    }

    public long size() {
      return size;
    }

    /** The SHA-256 hex of the whole body, computed by generating it again. */
    public String sha256() {
      Sha256 sha = new Sha256();
      byte[] chunk = new byte[CHUNK];
      for (long offset = 0, index = 0; offset < size; offset += CHUNK, index++) {
        int n = fill(chunk, index, (int) Math.min(CHUNK, size - offset));
        sha.update(chunk, n);
      }
      return sha.hex();
    }

    /**
     * Writes the body to {@code out} with back-pressure, without ending it. Completes with the
     * SHA-256 hex of what was written. Call on {@code out}'s context.
     */
    public Future<String> writeTo(WriteStream<Buffer> out) {
      Promise<String> done = Promise.promise();
      new Writer(out, done).next();
      return done.future();
    }

    private static int fill(byte[] chunk, long index, int n) {
      System.arraycopy(TEMPLATE, 0, chunk, 0, n);
      // Stamp the chunk number so that the body is not periodic: a reordered or repeated chunk
      // changes the hash.
      for (int i = 0; i < 8 && i < n; i++) {
        chunk[i] = (byte) (index >>> (8 * i));
      }
      return n;
    }

    private final class Writer {
      private final WriteStream<Buffer> out;
      private final Promise<String> done;
      private final Sha256 sha = new Sha256();
      private long offset;
      private long index;

      Writer(WriteStream<Buffer> out, Promise<String> done) {
        this.out = out;
        this.done = done;
      }

      void next() {
        while (offset < size && !out.writeQueueFull()) {
          int n = (int) Math.min(CHUNK, size - offset);
          byte[] chunk = new byte[n];
          fill(chunk, index++, n);
          sha.update(chunk, n);
          offset += n;
          out.write(Buffer.buffer(chunk)).onFailure(done::tryFail);
        }
        if (offset < size) {
          out.drainHandler(v -> next());
        } else {
          done.tryComplete(sha.hex());
        }
      }
    }
  }

  /** A running SHA-256 and byte count, for bodies received in chunks. */
  public static final class Sha256 {
    static final String EMPTY = new Sha256().hex();

    private final MessageDigest digest;
    private long bytes;

    public Sha256() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }

    public void update(Buffer chunk) {
      byte[] b = chunk.getBytes();
      update(b, b.length);
    }

    void update(byte[] b, int n) {
      digest.update(b, 0, n);
      bytes += n;
    }

    public long bytes() {
      return bytes;
    }

    /** The hex digest of everything so far; call once, at the end. */
    public String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
