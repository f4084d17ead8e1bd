package gatehouse.proxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One address block, IPv4 or IPv6 ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is a
 * {@code /32} or {@code /128}. Parsed without any DNS lookup. An IPv4-mapped IPv6 block
 * ({@code ::ffff:10.0.0.0/104}) is the IPv4 block it maps, because Java reports such peers as IPv4.
 */
final class Cidr {

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code address[/prefix]}; throws {@link IllegalArgumentException} naming the text. */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    InetAddress address =
        literal(addressText)
            .orElseThrow(() -> new IllegalArgumentException("not an IP address block: '" + text + "'"));
    int bits = address.getAddress().length * 8;
    boolean mapped = address instanceof Inet4Address && addressText.contains(":");
    int prefix;
    if (slash < 0) {
      prefix = bits;
    } else {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an IP address block: '" + text + "'");
      }
      if (mapped) {
        prefix -= 96;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
      }
    }
    byte[] network = address.getAddress();
    for (int i = 0; i < network.length; i++) {
      network[i] &= mask(prefix, i);
    }
    return new Cidr(network, prefix);
  }

  boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      if ((bytes[i] & mask(prefix, i)) != network[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses an IP literal (dotted IPv4, or IPv6 with an optional {@code %zone} and brackets). Empty for
   * anything else, host names included: no lookup is ever made.
   */
  static Optional<InetAddress> literal(String text) {
    String s = text;
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    int zone = s.indexOf('%');
    if (zone >= 0 && s.contains(":")) {
      s = s.substring(0, zone);
    }
    boolean v4 = IPV4.matcher(s).matches();
    boolean v6 = s.contains(":") && IPV6_CHARS.matcher(s).matches();
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      // A literal of either form is parsed by InetAddress without consulting DNS.
      return Optional.of(InetAddress.getByName(s));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static byte mask(int prefix, int byteIndex) {
    int bitsInByte = Math.max(0, Math.min(8, prefix - byteIndex * 8));
    return (byte) (0xFF << (8 - bitsInByte));
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
