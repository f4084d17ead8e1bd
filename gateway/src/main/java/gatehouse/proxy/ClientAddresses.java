package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The client's address as the gateway may believe it, after {@code forwarding.trusted_proxies}:
 * the TCP peer, unless the peer is a trusted proxy; then {@code X-Forwarded-For} is read from the
 * right, past every trusted proxy, and the first address that is not one is the client (the
 * leftmost when all are trusted). An entry that is not an IP address stops the walk at the proxy
 * that wrote it: that proxy is the client then. So a client outside the trusted blocks can never
 * choose its own address, whatever it sends. {@code Forwarded} (RFC 7239) is not read.
 *
 * <p>Addresses are given in one canonical text ({@link InetAddress#getHostAddress()}, without an
 * IPv6 zone), so two spellings of one address are one client. Compiled once from a
 * {@link ForwardingConfig}; safe on any thread.
 */
public final class ClientAddresses {
  /** What a request whose peer the gateway cannot tell (a Unix socket) is counted under. */
  public static final String UNKNOWN = "unknown";

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  private static final Pattern IPV4_WITH_PORT = Pattern.compile("[0-9.]+:[0-9]{1,5}");
  private static final int MAX_PEERS = 4096;

  private final List<Cidr> trusted;
  /**
   * Peer text as Vert.x gives it → the address and its canonical text (empty when it is no IP
   * literal): clients keep their address for many requests, and the lookup saves a parse and a
   * string per request.
   */
  private final ConcurrentHashMap<String, Optional<Peer>> peers = new ConcurrentHashMap<>();

  private record Peer(InetAddress address, String text, boolean trusted) {}

  private ClientAddresses(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  public static ClientAddresses compile(ForwardingConfig config) {
    return new ClientAddresses(config.trustedProxies().stream().map(Cidr::parse).toList());
  }

  /**
   * The client address of a request from {@code peer} (the connection's remote host address, null
   * when unknown) with {@code headers}; {@link #UNKNOWN} when the peer is no IP address.
   */
  public String of(String peer, MultiMap headers) {
    Optional<Peer> hop = peer == null ? Optional.empty() : peer(peer);
    if (hop.isEmpty()) return UNKNOWN;
    if (!hop.get().trusted()) return hop.get().text();
    InetAddress client = hop.get().address();
    List<String> values = headers.getAll(X_FORWARDED_FOR);
    for (int v = values.size() - 1; v >= 0; v--) {
      String[] entries = values.get(v).split(",");
      for (int i = entries.length - 1; i >= 0; i--) {
        String entry = entries[i].strip();
        if (entry.isEmpty()) continue;
        Optional<InetAddress> named = address(entry);
        if (named.isEmpty()) return text(client);
        client = named.get();
        if (!trusts(client)) return text(client);
      }
    }
    return text(client);
  }

  /**
   * Whether {@code peer} (the connection's remote host address, null when unknown) is a trusted
   * proxy, whose word on the client (its trace context, say) the gateway takes.
   */
  public boolean trustsPeer(String peer) {
    if (peer == null) return false;
    Optional<Peer> hop = peer(peer);
    return hop.isPresent() && hop.get().trusted();
  }

  private boolean trusts(InetAddress address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) return true;
    }
    return false;
  }

  private Optional<Peer> peer(String hostAddress) {
    Optional<Peer> known = peers.get(hostAddress);
    if (known != null) return known;
    if (peers.size() >= MAX_PEERS) peers.clear();
    Optional<Peer> parsed = Cidr.literal(hostAddress).map(a -> new Peer(a, text(a), trusts(a)));
    peers.put(hostAddress, parsed);
    return parsed;
  }

  /** An X-Forwarded-For entry: an IP literal, optionally with a port ({@code 192.0.2.1:443}, {@code [2001:db8::1]:443}). */
  static Optional<InetAddress> address(String entry) {
    String s = entry;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close != s.length() - 1 && !s.substring(close + 1).matches(":[0-9]{1,5}")) return Optional.empty();
      s = s.substring(0, close + 1);
    } else if (IPV4_WITH_PORT.matcher(s).matches()) {
      s = s.substring(0, s.indexOf(':'));
    }
    return Cidr.literal(s);
  }

  private static String text(InetAddress address) {
    String t = address.getHostAddress();
    int zone = t.indexOf('%');
    return zone < 0 ? t : t.substring(0, zone);
  }
}
