package gatehouse.credential;

import gatehouse.config.ApiKeyExtractionConfig;
import gatehouse.config.Policy;
import gatehouse.secret.Secret;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Stage 2: finds the one credential a request presents, looking only where the route's policy
 * allows. Pure: reads headers and the raw query, never the body, never does I/O.
 */
public final class CredentialExtractor {

  /** The API-key header's name as an {@link AsciiString}, whose hash the header map computes once, not per look-up. */
  private final AsciiString apiKeyHeaderName;
  private final Optional<String> apiKeyQueryParam;
  private final CredentialCarriers carriers;

  public CredentialExtractor(ApiKeyExtractionConfig config) {
    this.apiKeyHeaderName = AsciiString.cached(config.header());
    this.apiKeyQueryParam = config.queryParam();
    this.carriers = new CredentialCarriers(config.queryParam());
  }

  /**
   * What {@code headers} and {@code rawQuery} present for {@code policy}. A public route gets
   * {@link Extraction.None} without looking. A bearer token together with an API key, two
   * {@code Authorization} headers, or two different API keys are {@link Extraction.Ambiguous}, on
   * every non-public route whatever it accepts: the gateway must not pick one and forward the other.
   *
   * <p>The forwarded query is {@code rawQuery} without the query parameters the gateway owns
   * ({@link CredentialCarriers}), in every spelling, whatever the route and whether or not a
   * credential was taken from them, so that a key or token never reaches a backend or its logs;
   * other parameters keep their spelling and order.
   */
  public Extraction extract(MultiMap headers, Optional<String> rawQuery, Policy policy) {
    return extract(headers, rawQuery, Optional.empty(), policy);
  }

  /**
   * As {@link #extract(MultiMap, Optional, Policy)}, with the connection's verified client
   * certificate. The certificate counts only where the policy accepts one ({@code mtls}, or
   * {@code any} with {@code mtls}); there it is the credential, and a bearer token or API key on the
   * same request is {@code multiple_credentials}: one request, one identity.
   */
  public Extraction extract(MultiMap headers, Optional<String> rawQuery, Optional<X509Certificate> clientCertificate, Policy policy) {
    Optional<String> forwarded = carriers.forwardedQuery(rawQuery);
    if (policy instanceof Policy.Public) return new Extraction.None(forwarded);
    if (policy instanceof Policy.Mtls) {
      return clientCertificate.<Extraction>map(c -> new Extraction.Found(new Credential.ClientCertificate(c), forwarded))
          .orElse(new Extraction.None(forwarded));
    }
    Extraction other = extractRequestCredential(headers, rawQuery, policy, forwarded);
    boolean wantsCertificate = policy instanceof Policy.Any any && any.mtls().isPresent();
    if (!wantsCertificate || clientCertificate.isEmpty()) return other;
    if (other instanceof Extraction.Found) {
      return new Extraction.Ambiguous("multiple_credentials", "a client certificate and a bearer token or API key on one request");
    }
    if (other instanceof Extraction.Ambiguous) return other;
    return new Extraction.Found(new Credential.ClientCertificate(clientCertificate.get()), forwarded);
  }

  private Extraction extractRequestCredential(MultiMap headers, Optional<String> rawQuery, Policy policy, Optional<String> forwarded) {

    List<String> authorization = headers.getAll(HttpHeaderNames.AUTHORIZATION);
    if (authorization.size() > 1) {
      return new Extraction.Ambiguous("duplicate_authorization", "more than one Authorization header");
    }
    Optional<Secret> bearer = Optional.empty();
    if (authorization.size() == 1) {
      String value = authorization.get(0);
      int space = value.indexOf(' ');
      String scheme = space < 0 ? value : value.substring(0, space);
      if (scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
        String token = space < 0 ? "" : value.substring(space + 1).strip();
        if (!isB64Token(token)) {
          return new Extraction.Ambiguous("malformed_authorization", "Authorization: Bearer needs exactly one token");
        }
        bearer = Optional.of(new Secret(token));
      }
    }

    List<String> headerKeys = headers.getAll(apiKeyHeaderName);
    List<String> queryKeys = apiKeyQueryParam.map(name -> queryValues(rawQuery, name)).orElse(List.of());
    if (headerKeys.size() > 1 || queryKeys.size() > 1) {
      return new Extraction.Ambiguous("duplicate_api_key", "more than one API key");
    }
    if (headerKeys.size() == 1 && queryKeys.size() == 1 && !headerKeys.get(0).equals(queryKeys.get(0))) {
      return new Extraction.Ambiguous("duplicate_api_key", "different API keys in the header and the query");
    }
    Optional<Credential> apiKey = Optional.empty();
    if (headerKeys.size() == 1) {
      apiKey = Optional.of(new Credential.ApiKey(new Secret(headerKeys.get(0)), Credential.Location.HEADER));
    } else if (queryKeys.size() == 1) {
      apiKey = Optional.of(new Credential.ApiKey(new Secret(queryKeys.get(0)), Credential.Location.QUERY));
    }

    if (bearer.isPresent() && apiKey.isPresent()) {
      return new Extraction.Ambiguous("multiple_credentials", "a bearer token and an API key on one request");
    }
    boolean wantsBearer = policy instanceof Policy.Jwt || policy instanceof Policy.Any;
    boolean wantsKey = policy instanceof Policy.ApiKey || policy instanceof Policy.Any;
    if (bearer.isPresent() && wantsBearer) return new Extraction.Found(new Credential.BearerToken(bearer.get()), forwarded);
    if (apiKey.isPresent() && wantsKey) return new Extraction.Found(apiKey.get(), forwarded);
    return new Extraction.None(forwarded);
  }

  /** The b64token characters before the trailing {@code =}, by char: a table, not a chain of comparisons. */
  private static final boolean[] TOKEN68 = new boolean[128];

  static {
    for (char c = 'A'; c <= 'Z'; c++) TOKEN68[c] = true;
    for (char c = 'a'; c <= 'z'; c++) TOKEN68[c] = true;
    for (char c = '0'; c <= '9'; c++) TOKEN68[c] = true;
    for (char c : "-._~+/".toCharArray()) TOKEN68[c] = true;
  }

  /**
   * RFC 6750 section 2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
   * *"="}. A loop, not a regex: this runs on every request over a token of hundreds of characters.
   */
  static boolean isB64Token(String s) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c >= 128 || !TOKEN68[c]) break;
      i++;
    }
    if (i == 0) return false;
    while (i < n && s.charAt(i) == '=') i++;
    return i == n;
  }

  private static List<String> queryValues(Optional<String> rawQuery, String name) {
    if (rawQuery.isEmpty()) return List.of();
    List<String> values = new ArrayList<>(1);
    for (String pair : rawQuery.get().split("&", -1)) {
      if (!name.equals(paramName(pair))) continue;
      int eq = pair.indexOf('=');
      values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return values;
  }

  private static String paramName(String pair) {
    int eq = pair.indexOf('=');
    return decode(eq < 0 ? pair : pair.substring(0, eq));
  }

  /** application/x-www-form-urlencoded decoding; a malformed escape is kept literally. */
  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
    try {
      return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
