package gatehouse.identity;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.JwtProviderConfig;
import gatehouse.credential.Credential;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 6: plans the identity headers of one request. Built once per config. Which verified claim
 * fills which header is chosen here, per source of identities: a JWT or introspection provider's
 * own {@code claims}, else {@code identity.claims} (which client certificates use too); API keys
 * always send their owner, scopes and key id. Every header name a claim mapping can set is reserved too, so a client can never pre-fill one on a route where the
 * claim happens to be missing, or on a public route. Every value goes through {@link
 * IdentityValues}, the one rule from a verified value to header bytes.
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

  /** The {@link AuthFailure} code of an identity the headers cannot carry faithfully. */
  public static final String UNREPRESENTABLE_CLAIM = "unrepresentable_claim";

  private final ReservedHeaders reserved;
  private final int maxValueBytes;
  private final ClaimHeaders defaults;
  private final Map<String, ClaimHeaders> jwt = new HashMap<>();
  private final Map<String, ClaimHeaders> introspection = new HashMap<>();

  /** @throws IllegalArgumentException starting with the config key, for a claim path that does not parse */
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
    this.maxValueBytes = config.identity().maxHeaderValue();
    this.defaults = ClaimHeaders.compile("identity", "identity.claims", config.identity().claims());
    for (JwtProviderConfig p : config.auth().jwt()) {
      if (!p.claims().isEmpty()) jwt.put(p.name(), ClaimHeaders.compile("jwt:" + p.name(), "auth.jwt[" + p.name() + "].claims", p.claims()));
    }
    for (IntrospectionConfig p : config.auth().introspection()) {
      if (!p.claims().isEmpty()) {
        introspection.put(p.name(), ClaimHeaders.compile("introspection:" + p.name(), "auth.introspection[" + p.name() + "].claims", p.claims()));
      }
    }
  }

  /** Which claims fill which headers for {@code identity}'s source. */
  ClaimHeaders claimHeaders(Identity identity) {
    Scheme scheme = identity.scheme();
    if (scheme == Scheme.API_KEY) return ClaimHeaders.API_KEYS;
    if (scheme == Scheme.MTLS) return defaults;
    if (scheme == Scheme.JWT) return jwt.getOrDefault(identity.issuer(), defaults);
    if (scheme == Scheme.INTROSPECTION) return introspection.getOrDefault(identity.issuer(), defaults);
    throw new AssertionError("unknown scheme " + scheme);
  }

  /** The reserved namespace, for the hot-path benchmark: it strips headers with it as a request would. */
  public ReservedHeaders reserved() {
    return reserved;
  }

  /** The edits for a request without an identity (a public route): strip, set nothing. */
  public HeaderEdits anonymous() {
    return new HeaderEdits(reserved, Set.of(), Map.of());
  }

  /**
   * The edits for a request that presented {@code consumed} and was verified as {@code identity},
   * or a refusal when a value cannot be carried faithfully. The consumed credential's header is
   * dropped: the upstream gets the verified identity, not the secret. The headers set are the
   * claims {@link #claimHeaders} chooses for the identity's source. CPU only.
   */
  public HeaderPlan plan(Credential consumed, Identity identity) {
    Set<String> drop;
    if (consumed instanceof Credential.BearerToken) drop = Set.of("Authorization");
    else if (consumed instanceof Credential.ApiKey) drop = Set.of();
    else if (consumed instanceof Credential.ClientCertificate) drop = Set.of();
    else throw new AssertionError("unknown credential " + consumed.getClass());
    // The subject travels in the identity token's sub as UTF-8 JSON, where an unpaired surrogate
    // would become '?' just as in a header.
    if (!isValidUnicode(identity.subject())) {
      return refused("sub", "subject", "a string that is not valid Unicode (an unpaired surrogate)");
    }
    ClaimHeaders mapping = claimHeaders(identity);
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] set = new Map.Entry[mapping.mapped().size()];
    int n = 0;
    for (ClaimHeaders.Mapped m : mapping.mapped()) {
      Optional<ClaimValue> value = mapping.value(m, identity.claims());
      if (value.isEmpty()) continue;
      ClaimValue claim = value.get();
      IdentityValues.Encoding encoding = IdentityValues.encode(claim.value(), maxValueBytes);
      if (encoding instanceof IdentityValues.Encoding.Unrepresentable u) return refused(claim.source(), m.header(), u.why());
      String ascii = ((IdentityValues.Encoding.Encoded) encoding).ascii();
      if (!ascii.isEmpty()) set[n++] = Map.entry(m.header(), ascii);
    }
    return new HeaderPlan.Planned(new HeaderEdits(reserved, drop, Map.ofEntries(n == set.length ? set : java.util.Arrays.copyOf(set, n))));
  }

  private static HeaderPlan refused(String claim, String header, String why) {
    return new HeaderPlan.Refused(new AuthFailure(UNREPRESENTABLE_CLAIM,
        "claim " + claim + " for " + header + " cannot be carried faithfully: " + why, Optional.of(claim)));
  }

  private static boolean isValidUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (!Character.isHighSurrogate(c) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
      i++;
    }
    return true;
  }
}
