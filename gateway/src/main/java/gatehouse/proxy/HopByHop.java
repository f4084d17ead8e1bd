package gatehouse.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds the header maps that cross the gateway: the client's request headers become the upstream
 * request's, the upstream's response headers become the client's. Pure: no I/O, no Vert.x request.
 */
final class HopByHop {

  /**
   * RFC 9110 section 7.6.1 (connection-specific fields), plus {@code Proxy-Connection}, which old
   * clients still send, and the two proxy authentication fields, which concern only the hop.
   */
  static final Set<String> HEADERS =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  /** {@link #HEADERS} by length: a header name is compared only with those of its own length. */
  private static final String[][] HEADERS_BY_LENGTH = byLength(HEADERS);

  private static final Set<String> KEEP_ALIVE = Set.of("keep-alive");
  private static final Set<String> CLOSE = Set.of("close");

  private HopByHop() {}

  /**
   * The upstream request's headers, in this order: the client's headers minus hop-by-hop ones,
   * minus every header the client names in {@code Connection}, minus {@code Host} (the client
   * library sends the upstream's authority) and {@code Expect} (the gateway answers
   * {@code 100-continue} itself); then {@code edits}; then the forwarding headers. Because edits
   * and forwarding headers come after the {@code Connection} filter, a client cannot name them away.
   *
   * @param webSocket keep the upgrade: {@code Upgrade} is copied and {@code Connection: Upgrade} set
   */
  static MultiMap request(
      MultiMap client,
      HttpVersion version,
      boolean webSocket,
      Consumer<MultiMap> edits,
      ForwardedHeaders forwarded,
      ForwardedHeaders.Hop hop) {
    Set<String> named = connectionTokens(client);
    // A body framed by Transfer-Encoding is re-framed by us; its Content-Length, if any, is
    // meaningless (RFC 9112 section 6.3, item 3).
    boolean dropLength = client.contains(HttpHeaders.TRANSFER_ENCODING);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    StringBuilder cookies = new StringBuilder();
    for (Map.Entry<String, String> header : client) {
      String name = header.getKey();
      if (isHopByHop(name) || isNamed(named, name) || name.equalsIgnoreCase("host") || name.equalsIgnoreCase("expect")
          || (dropLength && name.equalsIgnoreCase("content-length")) || name.startsWith(":")) {
        continue;
      }
      if (version == HttpVersion.HTTP_2 && name.equalsIgnoreCase("cookie")) {
        // RFC 9113 section 8.2.3: HTTP/2 may split Cookie; HTTP/1.1 needs one field joined by "; ".
        cookies.append(cookies.length() == 0 ? "" : "; ").append(header.getValue());
        continue;
      }
      out.add(header.getKey(), header.getValue());
    }
    if (cookies.length() > 0) {
      out.add(HttpHeaders.COOKIE, cookies.toString());
    }
    edits.accept(out);
    forwarded.write(client, hop, out);
    if (webSocket) {
      out.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
      out.set(HttpHeaders.UPGRADE, String.join(", ", client.getAll(HttpHeaders.UPGRADE)));
    }
    return out;
  }

  /**
   * Adds to {@code into} (the client response's headers) the upstream's headers minus hop-by-hop
   * ones and those it names in {@code Connection}. For a 101 to an admitted WebSocket upgrade,
   * {@code Connection} and {@code Upgrade} are kept: they are what makes it a switch of protocols.
   */
  static void copyResponse(MultiMap upstream, boolean switchingProtocols, MultiMap into) {
    Set<String> named = connectionTokens(upstream);
    for (Map.Entry<String, String> header : upstream) {
      String name = header.getKey();
      boolean upgradeHeader = name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("upgrade");
      boolean drop = switchingProtocols && upgradeHeader ? false : isHopByHop(name) || isNamed(named, name);
      if (!drop) {
        into.add(header.getKey(), header.getValue());
      }
    }
  }

  /** Whether {@code name}, in any case, is one of {@link #HEADERS}. Called for every header of every message. */
  static boolean isHopByHop(String name) {
    if (name.length() >= HEADERS_BY_LENGTH.length) return false;
    for (String candidate : HEADERS_BY_LENGTH[name.length()]) {
      if (candidate.equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  private static String[][] byLength(Set<String> names) {
    int longest = names.stream().mapToInt(String::length).max().orElse(0);
    String[][] out = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      int l = length;
      out[length] = names.stream().filter(n -> n.length() == l).toArray(String[]::new);
    }
    return out;
  }

  /** Whether {@code name}, in any case, is one of the lower-cased {@code connectionTokens}. */
  private static boolean isNamed(Set<String> connectionTokens, String name) {
    return containsIgnoringCase(connectionTokens, name);
  }

  /** A scan of a few lower-case names: no allocation, unlike a look-up of {@code name}'s lower case. */
  private static boolean containsIgnoringCase(Set<String> lowerCaseNames, String name) {
    for (String candidate : lowerCaseNames) {
      if (candidate.length() == name.length() && candidate.equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  /** Whether {@code headers} carry an HTTP/1.1 upgrade to WebSocket (RFC 6455 section 4.1). */
  static boolean isWebSocketUpgrade(MultiMap headers) {
    return connectionTokens(headers).contains("upgrade")
        && headers.getAll(HttpHeaders.UPGRADE).stream()
            .flatMap(v -> Arrays.stream(v.split(",")))
            .anyMatch(v -> v.trim().equalsIgnoreCase("websocket"));
  }

  /** The lower-cased tokens of every {@code Connection} header; the empty set when there is none. */
  private static Set<String> connectionTokens(MultiMap headers) {
    List<String> values = headers.getAll(HttpHeaders.CONNECTION);
    if (values.isEmpty()) {
      return Set.of();
    }
    if (values.size() == 1) {
      // What nearly every message carries; answered without splitting or allocating.
      String value = values.get(0).trim();
      if (value.equalsIgnoreCase("keep-alive")) return KEEP_ALIVE;
      if (value.equalsIgnoreCase("close")) return CLOSE;
    }
    Set<String> tokens = new HashSet<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }
}
