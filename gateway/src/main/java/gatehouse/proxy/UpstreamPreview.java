package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.identity.RequestSigner;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The head of the request the proxy would send upstream for an admitted request without a body,
 * built by the code that builds it when serving ({@link HopByHop#request}, {@link
 * ForwardedHeaders}, the upstream's authority and base path, the signer): for {@code gatehouse
 * explain}. Sends nothing.
 */
public final class UpstreamPreview {
  private UpstreamPreview() {}

  /**
   * What the upstream would receive.
   *
   * @param target the request target, after the upstream url's base path
   * @param headers in the order sent, {@code Host} first (the HTTP client writes it)
   * @param signed names the signer set: their values hold a time and a nonce, so differ on every request
   */
  public record Head(String method, String target, List<Map.Entry<String, String>> headers, List<String> signed) {
    public Head {
      headers = List.copyOf(headers);
      signed = List.copyOf(signed);
    }
  }

  /**
   * The client as the gateway's listener sees it.
   *
   * @param peer the TCP peer's address; empty when unknown
   * @param tls whether the connection is TLS ({@code X-Forwarded-Proto: https})
   * @param host the Host (or {@code :authority}) the client sent, if any
   */
  public record Client(Optional<String> peer, boolean tls, Optional<String> host, HttpVersion version) {}

  /**
   * The head {@code upstream} would receive for {@code method pathAndQuery} from {@code client}
   * with {@code clientHeaders} after {@code edits} (the identity stage's plan, then the request id).
   */
  public static Head of(UpstreamConfig upstream, ForwardingConfig forwarding, Client client, String method, MultiMap clientHeaders,
      boolean allowWebSocket, Consumer<MultiMap> edits, String pathAndQuery, RequestSigner signer) {
    ForwardedHeaders forwarded = ForwardedHeaders.compile(forwarding);
    ForwardedHeaders.Hop hop = new ForwardedHeaders.Hop(client.peer().flatMap(forwarded::peer), client.tls() ? "https" : "http", client.host());
    boolean webSocket = allowWebSocket && client.version() == HttpVersion.HTTP_1_1 && method.equals("GET")
        && HopByHop.isWebSocketUpgrade(clientHeaders);
    MultiMap headers = HopByHop.request(clientHeaders, client.version(), webSocket, edits, forwarded, hop);
    if (method.equals("HEAD")) headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    if (signer.contentDigestMaxBody().isPresent() && !webSocket) headers.remove("Content-Digest");
    String authority = Upstream.authority(upstream.url());
    String target = Upstream.target(Upstream.basePath(upstream.url()), pathAndQuery);
    Map<String, String> signature = signer.headersFor(method, authority, target, headers, Optional.empty());
    signature.forEach(headers::set);
    List<Map.Entry<String, String>> out = new ArrayList<>();
    out.add(Map.entry("Host", authority));
    headers.forEach(e -> out.add(Map.entry(e.getKey(), e.getValue())));
    return new Head(method, target, out, new ArrayList<>(signature.keySet()));
  }
}
