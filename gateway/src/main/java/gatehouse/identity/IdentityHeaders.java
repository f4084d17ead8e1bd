package gatehouse.identity;

import gatehouse.authn.Identity;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.JwtProviderConfig;
import gatehouse.credential.Credential;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 5: plans the identity headers of one request. Built once per config. Every header name a
 * claim mapping can set is reserved too, so a client can never pre-fill one on a route where the
 * claim happens to be missing, or on a public route.
 */
public final class IdentityHeaders {
  /**
   * Headers the proxy writes itself after these edits (X-Forwarded-*, Forwarded; from a trusted
   * proxy it reads the client's copies from the request as received, not from what these edits
   * leave) and the request id. Stripped like reserved names so that a client's
   * {@code X_Forwarded_For}, which PHP, WSGI and Rack read as {@code HTTP_X_FORWARDED_FOR}, cannot
   * stand beside or in front of the gateway's value.
   */
  static final List<String> WRITTEN_BY_THE_GATEWAY =
      List.of("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "X-Request-Id");

  private final ReservedHeaders reserved;

  public IdentityHeaders(GatehouseConfig config) {
    Set<String> names = new LinkedHashSet<>(config.identity().reservedHeaders());
    names.addAll(config.identity().claims().values());
    for (JwtProviderConfig p : config.auth().jwt()) names.addAll(p.claims().values());
    for (IntrospectionConfig p : config.auth().introspection()) names.addAll(p.claims().values());
    // A client's Signature or identity token could otherwise reach a backend beside the gateway's.
    names.addAll(UpstreamSigners.signingHeaderNames(config));
    names.addAll(WRITTEN_BY_THE_GATEWAY);
    // The API-key header is the gateway's own credential carrier: never forwarded, on any route,
    // in any spelling the reserved-name rule folds together, whether or not a key was consumed.
    names.add(config.auth().apiKeys().header());
    this.reserved = new ReservedHeaders(names);
  }

  /** The reserved namespace, for tests and invariants. */
  public ReservedHeaders reserved() {
    return reserved;
  }

  /**
   * The edits for a request that presented {@code consumed} (empty on a public route) and was
   * verified as {@code identity} (empty on a public route). A consumed bearer token's
   * {@code Authorization} is dropped: the upstream gets the verified identity, not the secret. An
   * {@code Authorization} the gateway did not consume (a public or {@code mtls} route, a Basic
   * header beside an API key) is the backend's business and goes through; the API-key header is
   * reserved and never does.
   */
  public HeaderEdits plan(Optional<Credential> consumed, Optional<Identity> identity) {
    Set<String> drop = Set.of();
    if (consumed.isPresent()) {
      Credential c = consumed.get();
      if (c instanceof Credential.BearerToken) drop = Set.of("Authorization");
      else if (c instanceof Credential.ApiKey) drop = Set.of();
      else if (c instanceof Credential.ClientCertificate) drop = Set.of();
      else throw new AssertionError("unknown credential " + c.getClass());
    }
    Map<String, String> set = identity.map(Identity::headers).orElse(Map.of());
    return new HeaderEdits(reserved, drop, set);
  }
}
