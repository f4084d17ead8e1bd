package gatehouse.identity;

import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.SignConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.crypto.SignatureEngine;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The signer of each upstream, compiled once from {@code sign} (keys read and checked here), and
 * the gateway's public signing keys as a JWK set for the admin listener's
 * {@code /.well-known/jwks.json}.
 */
public final class UpstreamSigners {
  private final Map<String, UpstreamSigner> signers;
  private final String jwks;

  private UpstreamSigners(Map<String, UpstreamSigner> signers, String jwks) {
    this.signers = Map.copyOf(signers);
    this.jwks = jwks;
  }

  /**
   * Reads every signing key of {@code config}. {@code random} makes nonces and token ids; {@code
   * engine} makes Ed25519 and ES256 signatures.
   *
   * @throws IllegalArgumentException starting with the config key, when a key file is no longer a
   *     key of its algorithm (the config reader checked the files, and that one key id names one key)
   */
  public static UpstreamSigners compile(GatehouseConfig config, Clock clock, SecureRandom random, SignatureEngine engine) {
    List<String> identityHeaders = identityHeaderNames(config);
    Supplier<String> nonces = () -> {
      byte[] b = new byte[16];
      random.nextBytes(b);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    };
    Map<String, UpstreamSigner> signers = new HashMap<>();
    Map<String, Map<String, Object>> published = new LinkedHashMap<>();
    Map<String, SigningKey> loaded = new HashMap<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      SignConfig s = u.sign();
      if (s.mode() == SignConfig.Mode.NONE) {
        signers.put(u.name(), UpstreamSigner.NONE);
        continue;
      }
      boolean hmac = s.algorithm().equals("hmac-sha256");
      String kind = s.algorithm().equals("ES256") ? "ES256" : "Ed25519";
      List<SigningKey> keys = new ArrayList<>();
      if (!hmac) {
        for (SignConfig.Key k : s.keys()) {
          String where = k.path() + ".private_key";
          SigningKey key = loaded.get(k.privateKey().orElseThrow() + "|" + kind);
          if (key == null || !key.id.equals(k.id())) key = SigningKey.read(k.id(), k.privateKey().orElseThrow(), kind, where, engine);
          loaded.put(k.privateKey().get() + "|" + kind, key);
          published.putIfAbsent(key.id, key.publicJwk());
          keys.add(key);
        }
      }
      UpstreamSigner signer;
      if (s.mode() == SignConfig.Mode.HTTP_SIGNATURE) {
        signer = hmac
            ? HttpMessageSigner.hmac(s.keys().get(0).id(), s.keys().get(0).secret().orElseThrow().reveal().getBytes(StandardCharsets.UTF_8),
                identityHeaders, s.contentDigestMaxBody(), clock, nonces)
            : HttpMessageSigner.ed25519(keys.get(0), identityHeaders, s.contentDigestMaxBody(), clock, nonces);
      } else {
        signer = new IdentityTokenSigner(keys.get(0), u.name(), s.header(), s.lifetime(), identityHeaders, clock, nonces);
      }
      signers.put(u.name(), signer);
    }
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("keys", new ArrayList<>(published.values()));
    return new UpstreamSigners(signers, JSONObjectUtils.toJSONString(set));
  }

  /** The signer for upstream {@code name}; {@link UpstreamSigner#NONE} for an unknown name. */
  public UpstreamSigner forUpstream(String name) {
    return signers.getOrDefault(name, UpstreamSigner.NONE);
  }

  /** The public keys that sign (Ed25519 signatures, identity tokens), as a JWK set (RFC 7517 section 5). */
  public String jwks() {
    return jwks;
  }

  /**
   * The identity header names signed for every request, lower case and sorted: every exact name in
   * the reserved namespace and every header a claim mapping can set. Prefix patterns such as
   * {@code X-User-*} cover no particular name and are not signed as such.
   */
  public static List<String> identityHeaderNames(GatehouseConfig config) {
    Set<String> names = new TreeSet<>();
    for (String r : config.identity().reservedHeaders()) if (!r.endsWith("*")) names.add(r.toLowerCase(Locale.ROOT));
    config.identity().claims().values().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    for (JwtProviderConfig p : config.auth().jwt()) p.claims().values().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    for (IntrospectionConfig p : config.auth().introspection()) p.claims().values().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    return List.copyOf(names);
  }

  /**
   * The header names signing uses, which clients may never send: {@code Signature} and {@code
   * Signature-Input} when an upstream signs messages, each identity-token header in use.
   */
  public static Set<String> signingHeaderNames(GatehouseConfig config) {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (UpstreamConfig u : config.upstreams().values()) {
      if (u.sign().mode() == SignConfig.Mode.HTTP_SIGNATURE) names.addAll(List.of("Signature", "Signature-Input"));
      if (u.sign().mode() == SignConfig.Mode.IDENTITY_TOKEN) names.add(u.sign().header());
    }
    return names;
  }
}
