package gatehouse.server;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One verticle ({@link GatewayVerticle}) on each of Vert.x's event loops, exactly one per loop.
 *
 * <p>{@code deployVerticle} with {@code setInstances(n)} hands each instance the event-loop group's
 * next loop, a round-robin counter shared with everything else in the process that makes a
 * context. When something else takes a loop while the instances are deployed (the API-key
 * store's start-up did, in one start out of four in the benchmark), two instances land on one
 * loop and the gateway runs on one core. Here each instance gets a context built on its own loop.
 * {@code io.vertx.core.internal} is the API Vert.x offers integrations for this.
 */
public final class GatewayInstances {
  private record Instance(VerticleBase verticle, ContextInternal context) {}

  private final List<Instance> instances;

  private GatewayInstances(List<Instance> instances) {
    this.instances = List.copyOf(instances);
  }

  /** Starts one verticle from {@code verticles} on each event loop; fails (and stops those started) if one fails. */
  public static Future<GatewayInstances> start(Vertx vertx, Supplier<? extends VerticleBase> verticles) {
    VertxInternal internal = (VertxInternal) vertx;
    List<Instance> instances = new ArrayList<>();
    List<Future<?>> started = new ArrayList<>();
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      ContextInternal context = internal.contextBuilder().withEventLoop((EventLoop) loop).build();
      Instance instance = new Instance(verticles.get(), context);
      instances.add(instance);
      started.add(onContext(context, () -> instance.verticle().deploy(context)));
    }
    GatewayInstances all = new GatewayInstances(instances);
    return Future.join(started).map(all).recover(e -> all.close().transform(ignored -> Future.failedFuture(e)));
  }

  /** Stops every instance's listener and upstream clients, and closes its context. */
  public Future<Void> close() {
    List<Future<?>> stopped = new ArrayList<>();
    for (Instance i : instances) {
      stopped.add(onContext(i.context(), () -> i.verticle().undeploy(i.context())).eventually(() -> i.context().close()));
    }
    return Future.join(stopped).mapEmpty();
  }

  /** {@link GatewayVerticle#shutdown} on every gateway instance, each on its own event loop. */
  public Future<Void> shutdown(java.time.Duration timeout) {
    List<Future<?>> stopped = new ArrayList<>();
    for (Instance i : instances) {
      if (i.verticle() instanceof GatewayVerticle g) stopped.add(onContext(i.context(), () -> g.shutdown(timeout)));
    }
    return Future.join(stopped).mapEmpty();
  }

  private interface Step {
    Future<?> run() throws Exception;
  }

  /** Runs {@code step} on {@code context}'s event loop; its outcome, or what it threw, completes the result. */
  private static Future<?> onContext(ContextInternal context, Step step) {
    Promise<Object> done = context.promise();
    context.runOnContext(v -> {
      try {
        step.run().onComplete(ar -> {
          if (ar.succeeded()) done.complete(ar.result()); else done.fail(ar.cause());
        });
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future();
  }
}
