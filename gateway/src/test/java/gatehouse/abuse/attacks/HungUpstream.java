package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hung endpoint: {@code inFlight} clients each request a path of the upstream's endpoint that
 * never answers, and each sends its next request 1 s after an answer (a refusal, a timeout), as
 * retrying clients do. The canary on the same upstream uses another route. Volume: requests.
 */
public final class HungUpstream implements Attack {
  private final int inFlight;

  public HungUpstream(int inFlight) {
    this.inFlight = inFlight;
  }

  @Override
  public String name() {
    return "hung upstream endpoint";
  }

  @Override
  public String unit() {
    return "requests";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    Vertx vertx = TestVertx.create();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(inFlight));
    AtomicLong sent = new AtomicLong();
    long deadline = System.nanoTime() + duration.toNanos();
    try {
      for (int i = 0; i < inFlight; i++) send(vertx, client, target, i, deadline, sent);
      Thread.sleep(duration.toMillis());
    } finally {
      client.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    return sent.get();
  }

  private static void send(Vertx vertx, HttpClient client, Target target, int i, long deadline, AtomicLong sent) {
    if (System.nanoTime() >= deadline) return;
    sent.incrementAndGet();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(target.port())
        .setURI(Target.HANG + "client-" + i);
    client.request(options).compose(r -> r.send()).compose(r -> r.body())
        .onComplete(done -> vertx.setTimer(1000, t -> send(vertx, client, target, i, deadline, sent)));
  }
}
