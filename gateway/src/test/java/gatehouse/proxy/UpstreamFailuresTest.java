package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.pipeline.Rejection;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Every cause the Vert.x client reports before response headers, mapped to one rejection. */
class UpstreamFailuresTest {

  private static final Rejection UNREACHABLE =
      new Rejection.BadGateway("upstream_unreachable", "upstream 'orders' is unreachable");
  private static final Rejection RESET =
      new Rejection.BadGateway("upstream_reset", "upstream 'orders' closed the connection without a valid response");

  private static Rejection map(Throwable t) {
    return UpstreamFailures.beforeResponse("orders", t);
  }

  @Test
  void refusedUnroutableAndUnknownHostsAreUnreachable() {
    assertEquals(UNREACHABLE, map(new ConnectException("Connection refused")));
    assertEquals(UNREACHABLE, map(new NoRouteToHostException()));
    assertEquals(UNREACHABLE, map(new UnknownHostException("orders.internal")));
    assertEquals(UNREACHABLE, map(new VertxException(new UnknownHostException("orders.internal"))));
  }

  @Test
  void connectAndResponseTimeoutsAreGatewayTimeouts() {
    assertEquals(new Rejection.GatewayTimeout(false), map(new ConnectTimeoutException("connection timed out")));
    assertEquals(new Rejection.GatewayTimeout(false), map(new TimeoutException("no response")));
  }

  @Test
  void aWaitBehindBusyPooledConnectionsIsAQueuedGatewayTimeout() {
    assertEquals(new Rejection.GatewayTimeout(true), map(new Upstream.QueueTimeout("orders", 2000)));
    assertEquals(new Rejection.GatewayTimeout(true), map(new VertxException(new Upstream.QueueTimeout("orders", 2000))));
  }

  @Test
  void closedResetAndUnparseableResponsesAreResets() {
    assertEquals(RESET, map(new HttpClosedException("Connection was closed")));
    assertEquals(RESET, map(new IOException("Connection reset by peer")));
    assertEquals(RESET, map(new NumberFormatException("For input string: \"two\"")));
  }
}
