package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyRequestTest {

  @Test
  void aTargetThatIsNeitherAPathNorAsteriskIsRefusedWithoutEchoingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ProxyRequest("orders", "http://evil/?token=s3cret", h -> {}, Optional.empty(), 0, false));
    assertEquals("pathAndQuery must start with '/' or be '*'", e.getMessage());
  }

  @Test
  void aNegativeBodyLimitIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ProxyRequest("orders", "/", h -> {}, Optional.empty(), -1, false));
    assertEquals("maxBodyBytes must be >= 0 but was -1", e.getMessage());
  }

  @Test
  void aZeroTimeoutIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ProxyRequest("orders", "/", h -> {}, Optional.of(Duration.ZERO), 0, false));
    assertEquals("timeout must be positive but was PT0S", e.getMessage());
  }
}
