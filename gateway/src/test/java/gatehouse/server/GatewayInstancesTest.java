package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

class GatewayInstancesTest {
  private static final int LOOPS = 4;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Contexts made elsewhere at the same moment (each takes the group's next loop) move no instance. */
  @RepeatedTest(10)
  void oneInstancePerEventLoopWhileOtherContextsAreMade() throws Exception {
    Set<Thread> started = ConcurrentHashMap.newKeySet();
    Set<Thread> stopped = ConcurrentHashMap.newKeySet();
    AtomicBoolean contend = new AtomicBoolean(true);
    Thread rival = new Thread(() -> {
      while (contend.get()) ((VertxInternal) vertx).createEventLoopContext();
    });
    rival.start();
    GatewayInstances instances;
    try {
      instances = GatewayInstances.start(vertx, () -> new Recording(started, stopped))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      contend.set(false);
      rival.join();
    }
    assertEquals(LOOPS, started.size(), "threads that started an instance: " + started);
    assertTrue(started.stream().allMatch(t -> t.getName().startsWith("vert.x-eventloop-thread-")), started::toString);

    instances.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(started, stopped, "each instance stops on its own loop");
  }

  private static final class Recording extends VerticleBase {
    private final Set<Thread> started;
    private final Set<Thread> stopped;

    Recording(Set<Thread> started, Set<Thread> stopped) {
      this.started = started;
      this.stopped = stopped;
    }

    @Override
    public Future<?> start() {
      started.add(Thread.currentThread());
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      stopped.add(Thread.currentThread());
      return Future.succeededFuture();
    }
  }
}
