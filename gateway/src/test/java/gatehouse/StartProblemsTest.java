package gatehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * What can only fail when the gateway starts (a port someone else holds) is still a config
 * problem: {@code file:line: key: message}, at the line of the key it came from, never line 0.
 */
class StartProblemsTest {

  @Test
  void aListenPortAlreadyTakenIsReportedAtTheLineOfListenPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      ConfigException e = startFails(String.join("\n",
          "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
          "listen:",
          "  host: 127.0.0.1",
          "  port: " + port,
          "admin:",
          "  host: 127.0.0.1",
          "  port: 0",
          "routes:",
          "  - {match: {prefix: /}, upstream: app, policy: public}",
          ""));
      assertEquals(1, e.problems().size(), e::getMessage);
      assertTrue(e.problems().get(0).toString().startsWith("./gatehouse.yaml:4: listen.port: cannot listen on 127.0.0.1:" + port + ": "),
          e::getMessage);
    }
  }

  @Test
  void anAdminPortAlreadyTakenIsReportedAtTheLineOfAdminPortAndTheGatewayListenerIsClosed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int adminPort = taken.getLocalPort();
      int listenPort = probe.getLocalPort();
      probe.close();
      ConfigException e = startFails(String.join("\n",
          "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
          "listen:",
          "  host: 127.0.0.1",
          "  port: " + listenPort,
          "admin:",
          "  host: 127.0.0.1",
          "  port: " + adminPort,
          "routes:",
          "  - {match: {prefix: /}, upstream: app, policy: public}",
          ""));
      assertTrue(e.problems().get(0).toString().startsWith("./gatehouse.yaml:7: admin.port: cannot listen on 127.0.0.1:" + adminPort + ": "),
          e::getMessage);
      // The gateway listener that did bind was closed again: its port is free.
      try (ServerSocket again = new ServerSocket(listenPort, 1, InetAddress.getByName("127.0.0.1"))) {
        assertEquals(listenPort, again.getLocalPort());
      }
    }
  }

  private static ConfigException startFails(String yaml) throws Exception {
    GatehouseConfig config = ConfigLoader.parse("gatehouse.yaml", yaml, Path.of("."), name -> null);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> Gatehouse.start(config, Clock.systemUTC()).toCompletionStage().toCompletableFuture().get(30, SECONDS));
    return assertInstanceOf(ConfigException.class, e.getCause());
  }
}
