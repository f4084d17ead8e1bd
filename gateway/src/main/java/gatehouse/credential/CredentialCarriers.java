package gatehouse.credential;

import gatehouse.secret.Secret;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What counts as a credential in a request target, decided once per config. Names are compared
 * by their skeleton ({@link ParamNames}: after percent-decoding, ignoring case and every character
 * but letters and digits, with a {@code [...]} suffix cut), so every spelling a backend might read
 * counts.
 *
 * <ul>
 *   <li><b>Owned</b> query parameters, which the gateway removes from every forwarded target, on
 *       every route: the configured API-key parameter ({@code auth.api_keys.query_param}) and
 *       {@code access_token} (RFC 6750 section 2.3; the gateway never accepts a token there, and a
 *       backend that does must not be handed one the gateway did not verify).
 *   <li><b>Logged redacted</b>: the owned names and {@link #COMMON}, plus every value shaped like
 *       a Gatehouse API key or a JWT ({@link CredentialShapes}), in the path too.
 * </ul>
 */
public final class CredentialCarriers {
  /** Query parameters the gateway owns whatever the config says. */
  public static final List<String> STANDARD = List.of("access_token");

  /**
   * Parameters that carry credentials to common backends and APIs; their values are never logged,
   * though the gateway forwards them: they are not its own.
   */
  public static final List<String> COMMON = List.of(
      "api_key", "x-api-key", "key", "token", "id_token", "refresh_token", "client_secret", "secret", "password",
      "authorization");

  private static final String REDACTED = "[redacted:";

  private final String[] owned;
  private final String[] logged;

  /** Carriers for an API-key parameter called {@code apiKeyQueryParam} (empty: keys are not read from the query). */
  public CredentialCarriers(Optional<String> apiKeyQueryParam) {
    Set<String> own = new LinkedHashSet<>();
    apiKeyQueryParam.ifPresent(name -> own.add(ParamNames.skeleton(name)));
    for (String name : STANDARD) own.add(ParamNames.skeleton(name));
    Set<String> log = new LinkedHashSet<>(own);
    for (String name : COMMON) log.add(ParamNames.skeleton(name));
    own.remove("");
    log.remove("");
    this.owned = own.toArray(String[]::new);
    this.logged = log.toArray(String[]::new);
  }

  /**
   * {@code rawQuery} without the parameters the gateway owns, split on {@code &} and {@code ;}
   * (servers differ on {@code ;}). The other parameters keep their exact spelling, order and
   * separators. The same instance when nothing is removed; empty when nothing is left.
   */
  public Optional<String> forwardedQuery(Optional<String> rawQuery) {
    if (rawQuery.isEmpty()) return rawQuery;
    String q = rawQuery.get();
    StringBuilder out = null;
    boolean keptAny = false;
    int start = 0;
    while (true) {
      int end = firstOf(q, start, q.length(), '&', ';');
      boolean drop = ParamNames.match(q, start, firstOf(q, start, end, '=', '='), owned) >= 0;
      if (drop && out == null) {
        out = new StringBuilder(q.length()).append(q, 0, Math.max(0, start - 1));
        keptAny = start > 0;
      } else if (!drop && out != null) {
        if (keptAny) out.append(q.charAt(start - 1));
        out.append(q, start, end);
        keptAny = true;
      }
      if (end >= q.length()) break;
      start = end + 1;
    }
    if (out == null) return rawQuery;
    return keptAny ? Optional.of(out.toString()) : Optional.empty();
  }

  /**
   * {@code rawTarget} as it may be logged: the value of every credential parameter (logged
   * names, in the query or as a path parameter) and every path segment or query value holding a
   * credential-shaped text becomes {@code [redacted:<fingerprint>]}, where the fingerprint is
   * {@link Secret#fingerprint()} of the decoded credential, so a line can still be matched with a
   * key or a token. Parameters are split on {@code &}, {@code ;} and {@code #}; a redacted value
   * runs to the next {@code &} or {@code #}, so it is hidden however a backend splits. The same
   * instance when there is nothing to redact.
   */
  public String redact(String rawTarget) {
    StringBuilder out = null;
    int copied = 0;
    int length = rawTarget.length();
    int query = firstOf(rawTarget, 0, length, '?', '#');
    int start = 0;
    while (start < rawTarget.length()) {
      boolean inQuery = start > query;
      // A unit: a path segment, or a query parameter as split on '&' alone.
      int end = inQuery ? firstOf(rawTarget, start, length, '&', '#') : firstOf(rawTarget, start, query, '/', '/');
      Found found = credentialIn(rawTarget, start, end, inQuery);
      if (found != null) {
        if (out == null) out = new StringBuilder(rawTarget.length() + 24);
        out.append(rawTarget, copied, found.from()).append(REDACTED).append(found.fingerprint()).append(']');
        copied = end;
      }
      start = end + 1;
    }
    if (out == null) return rawTarget;
    return out.append(rawTarget, copied, rawTarget.length()).toString();
  }

  /** A credential in a unit: redacted from {@code from} to the unit's end. */
  private record Found(int from, String fingerprint) {}

  /**
   * The first credential in the unit {@code s[from, to)}, or null: the value of a logged
   * parameter, the {@code ;}-piece value holding a credential-shaped text, or, when that text is
   * spelled with escapes, the value or unit holding it. Whichever starts first is redacted from
   * there to the unit's end, which hides any that follow.
   */
  private Found credentialIn(String s, int from, int to, boolean plusIsSpace) {
    Found byName = null;
    for (int piece = from; piece < to && byName == null; ) {
      int pieceEnd = firstOf(s, piece, to, ';', ';');
      int eq = firstOf(s, piece, pieceEnd, '=', '=');
      if (eq + 1 < pieceEnd && ParamNames.match(s, piece, eq, logged) >= 0) {
        byName = new Found(eq + 1, fingerprint(ParamNames.decode(s, eq + 1, to, plusIsSpace)));
      }
      piece = pieceEnd + 1;
    }
    Found byShape = null;
    int shape = CredentialShapes.find(s, from, to);
    if (shape >= 0) {
      int pieceStart = Math.max(from, s.lastIndexOf(';', shape - 1) + 1);
      int eq = firstOf(s, pieceStart, shape, '=', '=');
      byShape = new Found(eq < shape ? eq + 1 : pieceStart, fingerprint(s.substring(shape, CredentialShapes.end(s, shape, to))));
    }
    Found first = byName == null || (byShape != null && byShape.from() < byName.from()) ? byShape : byName;
    int limit = first == null ? to : first.from();
    if (escapesShapeCharacter(s, from, limit)) {
      int eq = firstOf(s, from, limit, '=', '=');
      Found inValue = eq < limit ? escapedShape(s, eq + 1, limit, plusIsSpace) : null;
      Found escaped = inValue != null ? inValue : escapedShape(s, from, limit, plusIsSpace);
      if (escaped != null) return escaped;
    }
    return first;
  }

  /** A credential-shaped text in {@code s[from, to)} once decoded, redacted from {@code from}; or null. */
  private static Found escapedShape(String s, int from, int to, boolean plusIsSpace) {
    String decoded = ParamNames.decode(s, from, to, plusIsSpace);
    int at = CredentialShapes.find(decoded, 0, decoded.length());
    return at < 0 ? null : new Found(from, fingerprint(decoded.substring(at, CredentialShapes.end(decoded, at, decoded.length()))));
  }

  private static String fingerprint(String credential) {
    return new Secret(credential).fingerprint();
  }

  /** Whether {@code s[from, to)} has an escape for a character a credential shape can hold. */
  private static boolean escapesShapeCharacter(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '%') continue;
      int b = ParamNames.hexByte(s, i + 1, to);
      if ((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_' || b == '-' || b == '.') return true;
    }
    return false;
  }

  /** The first index in {@code s[from, to)} of {@code a} or {@code b}, or {@code to}. */
  private static int firstOf(String s, int from, int to, char a, char b) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == a || c == b) return i;
    }
    return to;
  }
}
