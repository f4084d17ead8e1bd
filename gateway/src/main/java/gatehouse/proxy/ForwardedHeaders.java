package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Writes {@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and
 * {@code Forwarded} (RFC 7239). From a trusted peer (inside one of the configured CIDRs) the
 * client's values are kept: ours are appended to the two list headers ({@code X-Forwarded-For},
 * {@code Forwarded}), and the client's {@code X-Forwarded-Proto}/{@code -Host} are kept as the
 * original scheme and host when present. From any other peer every client value is dropped and only
 * what the gateway saw is sent. Compiled once from {@link ForwardingConfig}.
 */
final class ForwardedHeaders {

  // AsciiString: the header map hashes them once, and the encoder copies their bytes.
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  static final AsciiString FORWARDED = AsciiString.cached("Forwarded");
  static final List<AsciiString> NAMES =
      List.of(X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST, FORWARDED);

  private final List<Cidr> trusted;

  private static final int MAX_PEERS = 4096;
  private final java.util.concurrent.ConcurrentHashMap<String, Optional<InetAddress>> peers = new java.util.concurrent.ConcurrentHashMap<>();

  /** The last Host quoted by {@link #hostValue}; any thread may replace it, each sees a consistent pair. */
  private volatile QuotedHost lastHost;

  private ForwardedHeaders(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  static ForwardedHeaders compile(ForwardingConfig config) {
    return new ForwardedHeaders(config.trustedProxies().stream().map(Cidr::parse).toList());
  }

  /**
   * What the gateway saw of the client connection.
   *
   * @param peer the TCP peer; empty when unknown (a Unix socket)
   * @param proto {@code http} or {@code https}
   * @param host the authority the client asked for (Host, or HTTP/2's {@code :authority}), which
   *     the server refused before routing unless it was one valid {@code host[:port]}
   *     ({@code gatehouse.route.HostHeader}); empty when it sent none (HTTP/1.0)
   */
  record Hop(Optional<InetAddress> peer, String proto, Optional<String> host) {}

  /**
   * The peer's address parsed from its text, remembered: clients keep their address for many
   * requests, and parsing an IP literal is most of the cost of these headers.
   */
  Optional<InetAddress> peer(String hostAddress) {
    Optional<InetAddress> known = peers.get(hostAddress);
    if (known != null) return known;
    if (peers.size() >= MAX_PEERS) peers.clear();
    Optional<InetAddress> parsed = Cidr.literal(hostAddress);
    peers.put(hostAddress, parsed);
    return parsed;
  }

  boolean trusts(Optional<InetAddress> peer) {
    return peer.isPresent() && trusted.stream().anyMatch(c -> c.contains(peer.get()));
  }

  /**
   * Sets the four headers on {@code out} from {@code client} (the headers as received) and
   * {@code hop}. Any value already in {@code out} under these names is replaced.
   */
  void write(MultiMap client, Hop hop, MultiMap out) {
    NAMES.forEach(out::remove);
    boolean trust = trusts(hop.peer());
    String peer = hop.peer().isPresent() ? hop.peer().get().getHostAddress() : "unknown";

    String xff = trust ? joined(client, X_FORWARDED_FOR) : "";
    out.set(X_FORWARDED_FOR, xff.isEmpty() ? peer : xff + ", " + peer);

    String proto = trust ? client.get(X_FORWARDED_PROTO) : null;
    out.set(X_FORWARDED_PROTO, proto != null ? proto : hop.proto());

    String host = trust ? client.get(X_FORWARDED_HOST) : null;
    if (host != null) {
      out.set(X_FORWARDED_HOST, host);
    } else {
      hop.host().ifPresent(h -> out.set(X_FORWARDED_HOST, h));
    }

    StringBuilder element = new StringBuilder(64).append("for=").append(node(hop.peer(), peer));
    element.append(";proto=").append(hop.proto());
    if (hop.host().isPresent()) element.append(";host=").append(hostValue(hop.host().get()));
    String forwarded = trust ? joined(client, FORWARDED) : "";
    out.set(FORWARDED, forwarded.isEmpty() ? element.toString() : forwarded + ", " + element);
  }

  private static String joined(MultiMap headers, CharSequence name) {
    return String.join(", ", headers.getAll(name)).trim();
  }

  /**
   * RFC 7239 section 6: an IPv6 node is bracketed, and then must be a quoted-string. {@code text}
   * is the peer's address as text, already computed for X-Forwarded-For.
   */
  private static String node(Optional<InetAddress> peer, String text) {
    if (peer.isEmpty()) {
      return "unknown";
    }
    InetAddress address = peer.get();
    if (address instanceof Inet6Address) {
      int zone = text.indexOf('%');
      return "\"[" + (zone < 0 ? text : text.substring(0, zone)) + "]\"";
    }
    return text;
  }

  /**
   * {@link #value} of a Host, remembered for the last one: a listener sees the same few hosts, and
   * {@code host:port} always needs quoting, a new string per request otherwise.
   */
  private String hostValue(String host) {
    QuotedHost last = lastHost;
    if (last != null && last.host().equals(host)) return last.value();
    String quoted = value(host);
    lastHost = new QuotedHost(host, quoted);
    return quoted;
  }

  private record QuotedHost(String host, String value) {}

  /** RFC 7239 section 4: a value is a token or else a quoted-string ({@code host:port} needs quotes). */
  static String value(String text) {
    boolean token = !text.isEmpty();
    for (int i = 0; i < text.length() && token; i++) {
      char c = text.charAt(i);
      token = c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }
    if (token) {
      return text;
    }
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
