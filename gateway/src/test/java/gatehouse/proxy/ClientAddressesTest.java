package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.ForwardingConfig;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Who the client is after {@code forwarding.trusted_proxies}: a client never chooses its own address. */
class ClientAddressesTest {
  private static final ClientAddresses TRUSTING = ClientAddresses.compile(new ForwardingConfig(List.of("10.0.0.0/8", "fd00::/8")));
  private static final ClientAddresses NONE = ClientAddresses.compile(new ForwardingConfig(List.of()));

  private static MultiMap xff(String... values) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (String v : values) h.add("X-Forwarded-For", v);
    return h;
  }

  @ParameterizedTest(name = "peer {0}, X-Forwarded-For ''{1}'' -> {2}")
  @CsvSource(delimiter = '|', value = {
      "203.0.113.9 | 198.51.100.1              | 203.0.113.9",
      "10.0.0.1    |                           | 10.0.0.1",
      "10.0.0.1    | 198.51.100.1              | 198.51.100.1",
      "10.0.0.1    | 192.0.2.66, 198.51.100.1  | 198.51.100.1",
      "10.0.0.1    | 198.51.100.1, 10.9.9.9    | 198.51.100.1",
      "10.0.0.1    | 10.1.1.1, 10.2.2.2        | 10.1.1.1",
      "10.0.0.1    | 198.51.100.1:4711         | 198.51.100.1",
      "10.0.0.1    | '[2001:db8::7]:443'       | 2001:db8:0:0:0:0:0:7",
      "10.0.0.1    | 2001:DB8:0::7             | 2001:db8:0:0:0:0:0:7",
      "10.0.0.1    | 198.51.100.1, unknown     | 10.0.0.1",
      "10.0.0.1    | 'evil, 10.2.2.2'          | 10.2.2.2",
      "10.0.0.1    | '198.51.100.1,,'          | 198.51.100.1",
      "0:0:0:0:0:0:0:1 |                       | 0:0:0:0:0:0:0:1",
      "fd00::5     | 198.51.100.1              | 198.51.100.1",
      "not-an-ip   | 198.51.100.1              | unknown"})
  void theClientIsThePeerUnlessATrustedProxyNamesItFromTheRight(String peer, String forwardedFor, String client) {
    assertEquals(client, TRUSTING.of(peer, forwardedFor == null ? xff() : xff(forwardedFor)));
  }

  @Test
  void severalForwardedForHeadersAreOneListInOrder() {
    assertEquals("198.51.100.1", TRUSTING.of("10.0.0.1", xff("192.0.2.66", "198.51.100.1", "10.3.3.3")));
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsNeverRead() {
    assertEquals("10.0.0.1", NONE.of("10.0.0.1", xff("198.51.100.1")));
  }

  @Test
  void aPeerTheGatewayCannotTellIsUnknown() {
    assertEquals(ClientAddresses.UNKNOWN, TRUSTING.of(null, xff("198.51.100.1")));
  }

  @Provide
  Arbitrary<String> anything() {
    return Arbitraries.oneOf(Arbitraries.of("198.51.100.1", "10.0.0.9", "fd00::1", "unknown", "", " ", "1.2.3.4:80", "[::1]", "_hidden"),
        Arbitraries.strings().ofMaxLength(20));
  }

  /**
   * A client reaches the gateway through {@code hops} trusted proxies, each appending the address
   * it saw; whatever the client put in front ({@code forged}), it is counted as itself.
   */
  @Property(tries = 2000)
  void whatTheClientWritesItselfNeverChangesItsAddress(@ForAll @Size(max = 6) List<@net.jqwik.api.From("anything") String> forged,
      @ForAll @IntRange(min = 0, max = 3) int hops, @ForAll @IntRange(min = 1, max = 254) int client) {
    String clientAddress = "203.0.113." + client;
    List<String> entries = new ArrayList<>(forged);
    String peer = clientAddress;
    for (int i = 0; i < hops; i++) {
      entries.add(peer);
      peer = "10.0." + i + ".1";
    }
    MultiMap headers = entries.isEmpty() ? xff() : xff(String.join(",", entries));
    assertEquals(clientAddress, TRUSTING.of(peer, headers));
    assertEquals(peer, NONE.of(peer, headers));
  }
}
