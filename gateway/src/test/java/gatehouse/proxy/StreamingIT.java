package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ForwardingConfig;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.GeneratedBody;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import gatehouse.testing.UpstreamRecorder.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB each way through {@link Upstreams}, generated on the fly, with the same SHA-256 at both
 * ends. Failsafe runs this with {@code -Xmx256m}, so a body held in memory would not fit; the heap
 * is also measured after a GC to show it did not grow with the body.
 */
class StreamingIT {

  private static final long GIB = 1L << 30;
  private static final long HEAP_HEADROOM = 64L << 20;
  private static final Duration TRANSFER = Duration.ofSeconds(120);

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private Vertx vertx;
  private HttpClientAgent client;
  private UpstreamRecorder upstream;
  private TestGateway gateway;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
    upstream = UpstreamRecorder.start(vertx);
    gateway =
        TestGateway.start(
            vertx,
            TestGateway.upstream(upstream.url()),
            new ForwardingConfig(List.of()),
            in -> new ProxyRequest(TestGateway.UPSTREAM, in.uri(), h -> {}, Optional.empty(), 2 * GIB, false));
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
    TestGateway.await(client.close());
    TestGateway.await(vertx.close());
  }

  @Test
  void aOneGibUploadArrivesIntactWithoutTheHeapGrowing() throws Exception {
    long heapBefore = heapAfterGc();
    GeneratedBody body = GeneratedBody.ofSize(GIB);

    String[] sent = new String[1];
    int status =
        await(
            client
                .request(new RequestOptions().setMethod(HttpMethod.POST).setPort(gateway.port()).setURI("/upload")
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(GIB)))
                .compose(req -> body.writeTo(req).compose(sha -> {
                  sent[0] = sha;
                  return req.end();
                }).compose(v -> req.response().compose(resp -> resp.body().map(b -> resp.statusCode())))));

    assertEquals(200, status);
    Recorded received = upstream.lastRequest();
    assertEquals(GIB, received.bodyBytes());
    assertEquals(sent[0], received.bodySha256());
    assertEquals(new Proxied.Responded(200, GIB, gatewayResponseBytes()), gateway.outcome(0));
    assertHeapDidNotGrow(heapBefore);
  }

  @Test
  void aOneGibDownloadArrivesIntactWithoutTheHeapGrowing() throws Exception {
    long heapBefore = heapAfterGc();
    upstream.replyWith(Reply.generated(GIB));
    Sha256 received = new Sha256();

    int status =
        await(
            client
                .request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/download")
                .compose(req -> req.send().compose(resp -> {
                  // In the callback that got the response, before any chunk can be delivered.
                  resp.handler(received::update);
                  return resp.end().map(v -> resp.statusCode());
                })));

    assertEquals(200, status);
    assertEquals(GIB, received.bytes());
    assertEquals(GeneratedBody.ofSize(GIB).sha256(), received.hex());
    assertEquals(new Proxied.Responded(200, 0, GIB), gateway.outcome(0));
    assertHeapDidNotGrow(heapBefore);
  }

  private long gatewayResponseBytes() {
    return ((Proxied.Responded) gateway.outcome(0)).responseBytes();
  }

  private void assertHeapDidNotGrow(long before) {
    long after = heapAfterGc();
    assertTrue(
        after - before < HEAP_HEADROOM,
        "heap grew from " + (before >> 20) + " MiB to " + (after >> 20) + " MiB after a GC");
  }

  private long heapAfterGc() {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TRANSFER.toSeconds(), TimeUnit.SECONDS);
  }
}
