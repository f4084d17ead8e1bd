package gatehouse.revoke;

import gatehouse.secret.SecretHash;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of the entries, indexed for the three look-ups a token needs: by its hash, by
 * {@code iss} and {@code jti}, by {@code sub}. Built anew on every change (changes are rare, look-ups
 * are per request).
 */
final class Index {
  static final Index EMPTY = new Index(Map.of());

  final Map<String, DenyEntry> byId;
  private final Map<SecretHash, DenyEntry> hashes;
  private final Map<String, DenyEntry> jtis;
  private final Map<String, List<DenyEntry>> subjects;

  private Index(Map<String, DenyEntry> byId) {
    this.byId = byId;
    Map<SecretHash, DenyEntry> h = new HashMap<>();
    Map<String, DenyEntry> j = new HashMap<>();
    Map<String, List<DenyEntry>> s = new HashMap<>();
    for (DenyEntry e : byId.values()) {
      if (e.match() instanceof DenyEntry.Match.TokenHash t) h.put(hash(t.sha256()), e);
      else if (e.match() instanceof DenyEntry.Match.Jti t) j.put(t.issuer() + "\n" + t.jti(), e);
      else if (e.match() instanceof DenyEntry.Match.Subject t) s.computeIfAbsent(t.subject(), k -> new ArrayList<>()).add(e);
      else throw new AssertionError("unknown match " + e.match());
    }
    this.hashes = Map.copyOf(h);
    this.jtis = Map.copyOf(j);
    Map<String, List<DenyEntry>> frozen = new HashMap<>();
    s.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    this.subjects = Map.copyOf(frozen);
  }

  static Index of(Collection<DenyEntry> entries) {
    Map<String, DenyEntry> m = new LinkedHashMap<>();
    for (DenyEntry e : entries) m.put(e.id(), e);
    return m.isEmpty() ? EMPTY : new Index(java.util.Collections.unmodifiableMap(m));
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  int size() {
    return byId.size();
  }

  /** This index with {@code e} (replacing the entry of the same id). */
  Index with(DenyEntry e) {
    Map<String, DenyEntry> m = new LinkedHashMap<>(byId);
    m.put(e.id(), e);
    return new Index(java.util.Collections.unmodifiableMap(m));
  }

  /** This index without the entry {@code id}. */
  Index without(String id) {
    if (!byId.containsKey(id)) return this;
    Map<String, DenyEntry> m = new LinkedHashMap<>(byId);
    m.remove(id);
    return of(m.values());
  }

  /** This index without the entries expired at {@code now}. */
  Index live(Instant now) {
    if (byId.values().stream().noneMatch(e -> e.expired(now))) return this;
    return of(byId.values().stream().filter(e -> !e.expired(now)).toList());
  }

  /**
   * The entry that refuses a token, or null. {@code iat} is null when the token has none; {@code
   * issuer} and {@code jti} null when absent.
   */
  DenyEntry match(SecretHash token, String issuer, String jti, String subject, Instant iat, Instant now) {
    DenyEntry e = hashes.get(token);
    if (e != null && !e.expired(now)) return e;
    if (issuer != null && jti != null) {
      e = jtis.get(issuer + "\n" + jti);
      if (e != null && !e.expired(now)) return e;
    }
    List<DenyEntry> bySubject = subject == null ? null : subjects.get(subject);
    if (bySubject != null) {
      for (DenyEntry s : bySubject) {
        DenyEntry.Match.Subject m = (DenyEntry.Match.Subject) s.match();
        if (s.expired(now) || (m.issuer().isPresent() && !m.issuer().get().equals(issuer))) continue;
        // Fail closed: a token without iat cannot show it was issued after the cut-off.
        if (iat == null || iat.isBefore(m.before())) return s;
      }
    }
    return null;
  }

  /** The SHA-256 hex {@link DenyEntry.Match.TokenHash} holds, as the {@link SecretHash} a credential hashes to. */
  static SecretHash hash(String hex) {
    return new SecretHash(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16, 32), 16),
        Long.parseUnsignedLong(hex.substring(32, 48), 16), Long.parseUnsignedLong(hex.substring(48, 64), 16));
  }
}
