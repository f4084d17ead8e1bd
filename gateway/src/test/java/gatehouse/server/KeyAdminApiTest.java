package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.AdminApiConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who may reach key management: checked before any key operation, so no store is needed here. */
class KeyAdminApiTest {
  private static final String TOKEN = "t".repeat(40);

  private static int status(AdminApiConfig config, String peer, Optional<String> authorization) {
    // A null admin is never reached: every request here is refused before any operation.
    KeyAdminApi api = new KeyAdminApi(null, null, config, new gatehouse.logging.ThrottledLogs(org.slf4j.LoggerFactory.getLogger(KeyAdminApi.class), java.time.Clock.systemUTC()));
    return api.handle(HttpMethod.GET, "/keys", Optional.empty(), peer, authorization, Buffer.buffer()).result().status();
  }

  @Test
  void aNonLoopbackPeerIsRefusedEvenWithTheRightToken() {
    AdminApiConfig config = new AdminApiConfig(Optional.of(TOKEN), List.of());
    assertEquals(403, status(config, "10.1.2.3", Optional.of("Bearer " + TOKEN)));
    assertEquals(403, status(config, "2001:db8::1", Optional.of("Bearer " + TOKEN)));
  }

  @Test
  void aPeerInsideAllowFromMayTryAToken() {
    AdminApiConfig config = new AdminApiConfig(Optional.of(TOKEN), List.of("10.0.0.0/8", "fd00::/8"));
    assertEquals(401, status(config, "10.1.2.3", Optional.empty()));
    assertEquals(401, status(config, "fd00::5", Optional.of("Bearer wrong")));
    assertEquals(403, status(config, "11.0.0.1", Optional.of("Bearer " + TOKEN)));
  }

  @Test
  void loopbackPeersNeedTheExactToken() {
    AdminApiConfig config = new AdminApiConfig(Optional.of(TOKEN), List.of());
    assertEquals(401, status(config, "127.0.0.1", Optional.of("Bearer " + TOKEN + "x")));
    assertEquals(401, status(config, "::1", Optional.of("Basic " + TOKEN)));
    assertEquals(401, status(config, "127.0.0.1", Optional.of("Bearer " + TOKEN.substring(1))));
  }
}
