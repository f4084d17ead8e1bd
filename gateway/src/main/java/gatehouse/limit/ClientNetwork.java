package gatehouse.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Whose requests a limit by address counts: an IPv4 client by its address (/32), an IPv6 client by
 * its network of the limit's {@code ipv6_prefix} (one subscriber is given a whole /64 or more, so
 * counting by /128 would give one client 2^64 buckets), an IPv4-mapped IPv6 address as the IPv4
 * address it maps. Pure; safe on any thread.
 */
final class ClientNetwork {
  /** The canonical text {@code ClientAddresses} gives an IPv6 address: hex groups, colons, maybe a dotted tail. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  private ClientNetwork() {}

  /**
   * {@code address} (a client address as {@code ClientAddresses} gives it) when it is IPv4 or not
   * an address ({@code unknown}); its network {@code <first address>/<ipv6Prefix>} when it is IPv6.
   */
  static String of(String address, int ipv6Prefix) {
    if (address.indexOf(':') < 0 || !IPV6.matcher(address).matches()) return address;
    InetAddress parsed;
    try {
      // A literal (checked above), so no name is looked up.
      parsed = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      return address;
    }
    if (parsed instanceof Inet4Address) return parsed.getHostAddress();
    byte[] bytes = parsed.getAddress();
    for (int bit = ipv6Prefix; bit < 128; bit++) bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + ipv6Prefix;
    } catch (UnknownHostException e) {
      throw new AssertionError("16 bytes are an IPv6 address", e);
    }
  }
}
