import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.transport.Transport;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A REFERENCE POINT FOR bench/run.sh ONLY. THIS IS NOT PART OF GATEHOUSE, and not a usable proxy.
 *
 * <p>It shows what an HTTP reverse proxy costs on Vert.x 5 (the framework Gatehouse is built on)
 * when it does nothing else: no authentication, no logging, no limits or timeouts, no routing, no
 * forwarding headers, no metrics. The benchmark's "reference: minimal Vert.x proxy" row measures
 * it next to Gatehouse, so the table separates the cost of the framework from the cost of
 * Gatehouse's own work.
 *
 * <p>Run with the JDK's single-file source launcher, against the Gatehouse jar (which holds
 * Vert.x and Netty):
 *
 * <pre>
 *   java -cp gateway/target/gatehouse.jar bench/tools/VertxMinimalProxy.java LISTEN_PORT UPSTREAM_PORT
 * </pre>
 *
 * <p>It listens on 127.0.0.1:LISTEN_PORT with one verticle (so one event loop) per core, as
 * Gatehouse does, and forwards each request to 127.0.0.1:UPSTREAM_PORT over a keep-alive pool of
 * up to 64 connections per event loop (Gatehouse's default {@code max_connections}): method, URI
 * and headers, minus hop-by-hop headers and those named in {@code Connection}; {@code Host}
 * becomes the upstream's. The status, headers (minus hop-by-hop) and body come back streamed,
 * with back-pressure both ways. An upstream failure before the response head is a 502.
 */
public final class VertxMinimalProxy extends VerticleBase {
  private static final String UPSTREAM_HOST = "127.0.0.1";
  /** RFC 9110 section 7.6.1, plus Proxy-Connection and the proxy authentication fields. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

  private final int listenPort;
  private final int upstreamPort;
  private HttpClient client;

  private VertxMinimalProxy(int listenPort, int upstreamPort) {
    this.listenPort = listenPort;
    this.upstreamPort = upstreamPort;
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: VertxMinimalProxy LISTEN_PORT UPSTREAM_PORT");
      System.exit(2);
    }
    int listen = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int cores = Runtime.getRuntime().availableProcessors();
    // The transport Gatehouse's runtime.transport: auto picks: io_uring, else epoll, else NIO.
    Transport transport = Transport.IO_URING != null && Transport.IO_URING.available() ? Transport.IO_URING
        : Transport.EPOLL != null && Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(cores)).withTransport(transport).build();
    vertx.deployVerticle(() -> new VertxMinimalProxy(listen, upstream), new DeploymentOptions().setInstances(cores))
        .onSuccess(id -> System.out.println("VertxMinimalProxy: listening on 127.0.0.1:" + listen + ", upstream 127.0.0.1:"
            + upstream + ", " + cores + " event loops, transport " + transport.name()))
        .onFailure(e -> {
          System.err.println("VertxMinimalProxy: " + e);
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setKeepAliveTimeout(30)
            .setPipelining(false).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(64));
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false))
        .requestHandler(this::forward)
        .listen(listenPort, "127.0.0.1");
  }

  private void forward(HttpServerRequest in) {
    in.pause();
    HttpServerResponse out = in.response();
    boolean chunked = in.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    MultiMap headers = copy(in.headers(), HttpHeaders.headers());
    headers.remove(HttpHeaders.HOST); // the client sets the upstream's host:port from the request options
    if (chunked) headers.remove(HttpHeaders.CONTENT_LENGTH);
    String length = headers.get(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = chunked || (length != null && !length.trim().equals("0"));
    RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(UPSTREAM_HOST).setPort(upstreamPort)
        .setURI(in.uri()).setHeaders(headers).setFollowRedirects(false);
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        fail(out);
        in.resume();
        return;
      }
      HttpClientRequest up = ar.result();
      up.response().onComplete(r -> {
        if (r.succeeded()) relay(in, r.result(), out);
        else fail(out);
      });
      if (hasBody) {
        if (chunked) up.setChunked(true);
        in.pipeTo(up); // resumes the request, ends the upstream request at the end of the body
      } else {
        up.end();
        in.resume();
      }
    });
  }

  private static void relay(HttpServerRequest in, HttpClientResponse response, HttpServerResponse out) {
    int status = response.statusCode();
    out.setStatusCode(status);
    if (response.statusMessage() != null) out.setStatusMessage(response.statusMessage());
    copy(response.headers(), out.headers());
    boolean bodyless = in.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (!bodyless && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) out.setChunked(true);
    response.pipe().endOnFailure(false).to(out).onFailure(e -> out.reset());
  }

  private static void fail(HttpServerResponse out) {
    if (out.headWritten()) {
      out.reset();
    } else {
      out.setStatusCode(502).end();
    }
  }

  /** Copies {@code from} into {@code to}, minus hop-by-hop headers and the ones named in Connection. */
  private static MultiMap copy(MultiMap from, MultiMap to) {
    Set<String> named = Set.of();
    if (from.contains(HttpHeaders.CONNECTION)) {
      named = new HashSet<>();
      for (String connection : from.getAll(HttpHeaders.CONNECTION)) {
        for (String token : connection.split(",")) named.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !named.contains(name)) to.add(header.getKey(), header.getValue());
    }
    return to;
  }
}
