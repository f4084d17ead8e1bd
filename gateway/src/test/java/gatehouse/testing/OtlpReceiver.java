package gatehouse.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 and a free port, standing in for a collector: it takes
 * {@code POST /v1/traces} in protobuf, as the OpenTelemetry SDK's exporter sends it, keeps every
 * export request (decoded, and its bytes as received) and answers 200.
 */
public final class OtlpReceiver implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final HexFormat HEX = HexFormat.of();

  private final HttpServer server;
  private final List<ExportTraceServiceRequest> exports = new CopyOnWriteArrayList<>();
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

  private OtlpReceiver(Vertx vertx) {
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(this::handle);
  }

  /** Starts a receiver; call from a test thread, not an event loop. */
  public static OtlpReceiver start(Vertx vertx) {
    OtlpReceiver receiver = new OtlpReceiver(vertx);
    await(receiver.server.listen());
    return receiver;
  }

  /** The endpoint for {@code tracing.otlp.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  private void handle(HttpServerRequest request) {
    if (!request.method().name().equals("POST") || !request.path().equals("/v1/traces")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      try {
        exports.add(ExportTraceServiceRequest.parseFrom(body.getBytes()));
        bodies.add(body.getBytes());
        request.response().putHeader("Content-Type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        request.response().setStatusCode(400).end();
      }
    });
  }

  /** One span as exported, with its resource's attributes. */
  public record Received(Span span, Map<String, String> resource) {
    public String traceId() {
      return HEX.formatHex(span.getTraceId().toByteArray());
    }

    public String spanId() {
      return HEX.formatHex(span.getSpanId().toByteArray());
    }

    /** The parent's span id; empty for a root span. */
    public String parentSpanId() {
      return HEX.formatHex(span.getParentSpanId().toByteArray());
    }

    /** The span's attributes as text. */
    public Map<String, String> attributes() {
      return text(span.getAttributesList());
    }

    public List<String> events() {
      return span.getEventsList().stream().map(Span.Event::getName).toList();
    }
  }

  /** Every span received so far. */
  public List<Received> spans() {
    List<Received> out = new ArrayList<>();
    for (ExportTraceServiceRequest export : exports) {
      for (ResourceSpans rs : export.getResourceSpansList()) {
        Map<String, String> resource = text(rs.getResource().getAttributesList());
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) out.add(new Received(span, resource));
        }
      }
    }
    return out;
  }

  /** Every export received so far: decoded as protobuf text, then as the bytes that came. */
  public List<String> exportsAsText() {
    List<String> out = new ArrayList<>();
    exports.forEach(e -> out.add(e.toString()));
    bodies.forEach(b -> out.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1)));
    return out;
  }

  /** Waits up to 15 s for a span that {@code matches}; fails the test if none comes. */
  public Received await(Predicate<Received> matches) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Optional<Received> found = spans().stream().filter(matches).findFirst();
      if (found.isPresent()) return found.get();
      if (System.nanoTime() > deadline) throw new AssertionError("no such span among " + spans());
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    await(server.close());
  }

  private static Map<String, String> text(List<KeyValue> attributes) {
    return attributes.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> {
      var v = kv.getValue();
      return v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? Long.toString(v.getIntValue()) : v.toString();
    }, (a, b) -> a + "," + b, java.util.LinkedHashMap::new));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
