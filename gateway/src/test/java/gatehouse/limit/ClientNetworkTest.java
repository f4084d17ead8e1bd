package gatehouse.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A limit by address counts IPv6 clients by network, IPv4 clients by address. */
class ClientNetworkTest {

  @Provide
  Arbitrary<BigInteger> ipv6() {
    return Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE))
        // Not ::ffff:0:0/96 (IPv4-mapped, counted as IPv4) nor ::/96, which Java may print as IPv4-compatible.
        .filter(a -> !a.shiftRight(32).equals(BigInteger.valueOf(0xffff)) && a.shiftRight(32).signum() != 0);
  }

  /** The canonical text {@code ClientAddresses} gives this 128-bit address. */
  private static String text(BigInteger address) {
    byte[] raw = address.toByteArray();
    byte[] b = new byte[16];
    int n = Math.min(raw.length, 16);
    System.arraycopy(raw, raw.length - n, b, 16 - n, n);
    try {
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Property
  void twoIpv6AddressesAreOneClientExactlyWhenTheirFirstPrefixBitsAgree(@ForAll("ipv6") BigInteger a, @ForAll("ipv6") BigInteger b,
      @ForAll @IntRange(min = 32, max = 128) int prefix) {
    boolean sameNetwork = a.shiftRight(128 - prefix).equals(b.shiftRight(128 - prefix));
    assertEquals(sameNetwork, ClientNetwork.of(text(a), prefix).equals(ClientNetwork.of(text(b), prefix)), text(a) + " and " + text(b));
  }

  @Property
  void everyAddressOfOneNetworkIsCountedAsThatNetwork(@ForAll("ipv6") BigInteger a, @ForAll @IntRange(min = 32, max = 128) int prefix,
      @ForAll("ipv6") BigInteger low) {
    BigInteger hostMask = BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
    BigInteger sibling = a.andNot(hostMask).or(low.and(hostMask));
    net.jqwik.api.Assume.that(!sibling.shiftRight(32).equals(BigInteger.valueOf(0xffff)));
    String network = text(a.andNot(hostMask)) + "/" + prefix;
    assertEquals(network, ClientNetwork.of(text(a), prefix));
    assertEquals(network, ClientNetwork.of(text(sibling), prefix));
  }

  @Property
  void anIpv4AddressIsItsOwnClientWhateverTheIpv6Prefix(@ForAll @IntRange(min = 0, max = 255) int a, @ForAll @IntRange(min = 0, max = 255) int d,
      @ForAll @IntRange(min = 32, max = 128) int prefix) {
    String address = a + ".0.2." + d;
    assertEquals(address, ClientNetwork.of(address, prefix));
    assertEquals(address, ClientNetwork.of("::ffff:" + address, prefix), "an IPv4-mapped IPv6 address is the IPv4 client");
  }

  @Test
  void oneSubscribersSlash64IsOneClientByDefaultAndANeighbourIsAnother() {
    assertEquals("2001:db8:1:2:0:0:0:0/64", ClientNetwork.of("2001:db8:1:2:0:0:0:1", 64));
    assertEquals("2001:db8:1:2:0:0:0:0/64", ClientNetwork.of("2001:db8:1:2:ffff:ffff:ffff:ffff", 64));
    assertNotEquals(ClientNetwork.of("2001:db8:1:2::1", 64), ClientNetwork.of("2001:db8:1:3::1", 64));
    assertEquals("2001:db8:1:0:0:0:0:0/56", ClientNetwork.of("2001:db8:1:ff::1", 56));
    assertEquals("2001:db8:1:2:0:0:0:1/128", ClientNetwork.of("2001:db8:1:2::1", 128));
  }

  @Test
  void whatIsNoAddressIsCountedAsItStands() {
    assertEquals("unknown", ClientNetwork.of("unknown", 64));
  }
}
