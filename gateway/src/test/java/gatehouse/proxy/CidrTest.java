package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "10.0.0.0/8,       10.255.1.2,          true",
    "10.0.0.0/8,       11.0.0.1,            false",
    "192.168.1.0/24,   192.168.1.255,       true",
    "192.168.1.0/24,   192.168.2.0,         false",
    "172.16.0.0/12,    172.31.255.255,      true",
    "172.16.0.0/12,    172.32.0.0,          false",
    "127.0.0.1,        127.0.0.1,           true",
    "127.0.0.1,        127.0.0.2,           false",
    "0.0.0.0/0,        203.0.113.9,         true",
    "0.0.0.0/0,        ::1,                 false",
    "::1/128,          ::1,                 true",
    "::1,              0:0:0:0:0:0:0:1,     true",
    "::1/128,          127.0.0.1,           false",
    "2001:db8::/32,    2001:db8:ffff::1,    true",
    "2001:db8::/32,    2001:db9::1,         false",
    "fe80::/10,        febf::1,             true",
    "fe80::/10,        fec0::1,             false",
    "::ffff:10.0.0.0/104, 10.1.2.3,         true",
    "10.0.0.0/8,       ::ffff:10.1.2.3,     true",
    "10.0.0.1/8,       10.9.9.9,            true",
  })
  void matchesAddressesInsideTheBlockOnly(String cidr, String address, boolean inside) throws Exception {
    assertEquals(inside, Cidr.parse(cidr).contains(InetAddress.getByName(address)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0/8", "256.0.0.1", "localhost", "example.com/8", "10.0.0.0/-1", "1.2.3.4/x"})
  void refusesWhatIsNotAnAddressBlockWithoutLookingItUp(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    assertEquals(true, e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"fe80::1%eth0", "[::1]", "127.0.0.1"})
  void parsesPeerLiteralsWithZonesAndBrackets(String text) {
    assertEquals(true, Cidr.literal(text).isPresent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.1", "1234", "gatehouse.invalid", ""})
  void treatsAnythingButADottedQuadOrIpv6AsNoLiteral(String text) {
    assertEquals(Optional.empty(), Cidr.literal(text));
  }
}
