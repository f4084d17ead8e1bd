package gatehouse.server;

import gatehouse.config.AdminApiConfig;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the admin API's management endpoints (keys, deny-list): a peer on loopback or in
 * {@code admin_api.allow_from}, with the admin bearer token. The peer is checked before the token
 * (a refused peer learns nothing about it), and the token is compared in constant time.
 */
final class AdminGate {
  private final byte[] tokenDigest;
  private final List<byte[][]> allowFrom;
  private final String what;

  /** {@code what} names the endpoints in the refusal, e.g. "key management". */
  AdminGate(AdminApiConfig config, String what) {
    this.tokenDigest = sha256(config.token().orElseThrow(() -> new IllegalArgumentException("the admin API needs a token")));
    this.allowFrom = config.allowFrom().stream().map(AdminGate::cidr).toList();
    this.what = what;
  }

  /** The refusal for this caller, or empty when it may go on. */
  Optional<KeyAdminApi.Reply> refuse(String peer, Optional<String> authorization) {
    if (!peerAllowed(peer)) return Optional.of(KeyAdminApi.Reply.error(403, "forbidden", what + " is refused from this address"));
    if (!authorized(authorization)) {
      return Optional.of(new KeyAdminApi.Reply(401, new JsonObject().put("error", "unauthorized").put("message", "an admin bearer token is required"),
          Map.of("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"")));
    }
    return Optional.empty();
  }

  private boolean authorized(Optional<String> authorization) {
    if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    // Digests of equal length, compared without early exit: neither the token nor its length leaks.
    return MessageDigest.isEqual(tokenDigest, sha256(authorization.get().substring(7).strip()));
  }

  private boolean peerAllowed(String peer) {
    InetAddress address;
    try {
      address = InetAddress.getByName(peer);   // a literal from the socket: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
    if (address.isLoopbackAddress()) return true;
    byte[] bytes = address.getAddress();
    for (byte[][] c : allowFrom) if (matches(c, bytes)) return true;
    return false;
  }

  /** {network bytes, mask bytes}. Config checked the text already. */
  static byte[][] cidr(String text) {
    int slash = text.indexOf('/');
    try {
      byte[] net = InetAddress.getByName(text.substring(0, slash)).getAddress();
      int prefix = Integer.parseInt(text.substring(slash + 1));
      byte[] mask = new byte[net.length];
      for (int i = 0; i < mask.length; i++) {
        int bits = Math.max(0, Math.min(8, prefix - 8 * i));
        mask[i] = (byte) (bits == 0 ? 0 : (0xFF << (8 - bits)));
      }
      return new byte[][] {net, mask};
    } catch (UnknownHostException | RuntimeException e) {
      throw new IllegalArgumentException("not a CIDR: " + text, e);
    }
  }

  private static boolean matches(byte[][] cidr, byte[] address) {
    if (cidr[0].length != address.length) return false;
    for (int i = 0; i < address.length; i++) {
      if ((address[i] & cidr[1][i]) != (cidr[0][i] & cidr[1][i])) return false;
    }
    return true;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

}
