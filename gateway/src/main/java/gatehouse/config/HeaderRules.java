package gatehouse.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which headers may carry identity and which are reserved. Identity headers are set only from
 * verified credentials, so every one of them must also be stripped from client requests; and no
 * identity header may touch a header the gateway needs for framing, routing, forwarding or
 * reading credentials.
 */
public final class HeaderRules {
  private HeaderRules() {}

  /** {@code claims:}: claim path to header name. */
  static final Shape CLAIMS = Shape.mapOf(Shape.text(), null);

  static final List<String> DEFAULT_RESERVED = List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id");

  static Map<String, String> defaultClaims() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("sub", "X-User-Id");
    m.put("role", "X-User-Role");
    m.put("email", "X-User-Email");
    return m;
  }

  /** Headers the gateway itself reads or controls; the configured API-key header is added. */
  static final List<String> PROTECTED = List.of(
      "Host", "Authorization", "Connection", "Content-Length", "Transfer-Encoding", "Upgrade", "TE",
      "Trailer", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Cookie", "Forwarded",
      "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id");

  /**
   * Whether reserved-name {@code pattern} (a trailing {@code *} is a prefix) covers header
   * {@code name}, compared by skeleton as the stripper does (gatehouse.identity.ReservedHeaders):
   * the ASCII letters and digits, lower-cased, so {@code X_User.Id} is {@code X-User-Id}.
   */
  static boolean covers(String pattern, String name) {
    boolean prefix = pattern.endsWith("*");
    String p = skeleton(prefix ? pattern.substring(0, pattern.length() - 1) : pattern);
    String n = skeleton(name);
    return prefix ? n.startsWith(p) : p.equals(n);
  }

  /**
   * A header name's ASCII letters and digits, lower-cased: what every backend stack's folding keeps.
   * The one rule by which config checks and the identity stage's stripping compare header names.
   */
  public static String skeleton(String header) {
    StringBuilder s = new StringBuilder(header.length());
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) s.append(c);
      else if (c >= 'A' && c <= 'Z') s.append((char) (c + ('a' - 'A')));
    }
    return s.toString();
  }

  /** The first protected header {@code pattern} covers, if any. */
  static Optional<String> protectedBy(String pattern, List<String> protectedNames) {
    return protectedNames.stream().filter(h -> covers(pattern, h)).findFirst();
  }

  /** {@code claims:} (claim path → header name); headers are tokens, unprotected and distinct. */
  static Optional<Map<String, String>> claims(Reader reader, Node node, String path, List<String> protectedNames) {
    Optional<Node.Mapping> m = reader.mapping(node, path);
    if (m.isEmpty()) return Optional.empty();
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> claimOfHeader = new HashMap<>();
    for (Node.Entry e : m.get().entries()) {
      String entryPath = path + "." + e.key();
      if (e.key().isEmpty()) {
        reader.problems.add(e.line(), path, "a claim path must not be empty");
        continue;
      }
      Optional<String> bad = ClaimPaths.problem(e.key());
      if (bad.isPresent()) {
        reader.problems.add(e.line(), entryPath, bad.get());
        continue;
      }
      Optional<String> header = reader.text(e.value(), entryPath);
      if (header.isEmpty()) continue;
      String h = header.get();
      if (!Syntax.isToken(h)) {
        reader.problems.add(e.value(), entryPath, Reader.shown(e.value()) + " is not a valid header name");
      } else if (skeleton(h).isEmpty()) {
        reader.problems.add(e.value(), entryPath, Reader.shown(e.value()) + " has no letter or digit");
      } else if (protectedBy(h, protectedNames).isPresent()) {
        reader.problems.add(e.value(), entryPath, Reader.shown(e.value()) + " cannot carry identity: the gateway uses it"
            + " for framing, routing, forwarding or credentials");
      } else if (claimOfHeader.putIfAbsent(skeleton(h), e.key()) != null) {
        reader.problems.add(e.value(), entryPath,
            "header " + Reader.shown(e.value()) + " is already filled by claim '" + claimOfHeader.get(skeleton(h)) + "'");
      } else {
        out.put(e.key(), h);
      }
    }
    return Optional.of(out);
  }
}
