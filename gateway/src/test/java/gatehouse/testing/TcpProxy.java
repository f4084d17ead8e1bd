package gatehouse.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 in front of a local service, to take the service away and bring it back:
 * {@link #stop()} closes the listener and every relayed connection, {@link #refuseNewConnections()}
 * only new ones; {@link #start()} listens again on the same port.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private int port;
  private volatile NetServer server;
  private volatile boolean refusing;

  public TcpProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  public synchronized TcpProxy start() {
    if (refusing && server != null) {
      refusing = false;
      return this;
    }
    refusing = false;
    server = vertx.createNetServer();
    server.connectHandler(in -> {
      if (refusing) {
        in.close();
        return;
      }
      in.pause();
      sockets.add(in);
      NetServer accepting = server;
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        sockets.add(out);
        if (server != accepting) {
          // stop() ran while this connection was being made: it must not relay.
          out.close();
          in.close();
          return;
        }
        in.handler(out::write);
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      });
    });
    port = await(server.listen(port, "127.0.0.1")).actualPort();
    return this;
  }

  /**
   * Closes each new connection at once and keeps the open ones relaying (closing the server would
   * cut them too); {@link #start()} relays new ones again.
   */
  public synchronized void refuseNewConnections() {
    refusing = true;
  }

  /**
   * Refuses new connections and cuts the open ones, like a database that went away; returns once
   * every relayed connection is closed, so nothing sent after it reaches the service.
   */
  public synchronized void stop() {
    if (server != null) await(server.close());
    server = null;
    List<Future<Void>> closed = new ArrayList<>();
    sockets.forEach(s -> closed.add(s.close()));
    sockets.clear();
    await(Future.join(closed));
  }

  public int port() {
    return port;
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    stop();
    client.close();
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
