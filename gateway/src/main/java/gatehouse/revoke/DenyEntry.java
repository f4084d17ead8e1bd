package gatehouse.revoke;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One deny-list entry: what it matches and until when it is kept. Never holds a token, only its
 * SHA-256. The id is derived from what the entry matches, so adding the same thing twice replaces
 * the entry (a later cut-off for a subject replaces the earlier one) on every instance alike.
 *
 * @param match what is refused
 * @param createdAt when it was added
 * @param expiresAt when it is dropped: no token it matches should be valid after this
 */
public record DenyEntry(Match match, Instant createdAt, Instant expiresAt) {

  /** What an entry refuses. */
  public sealed interface Match {
    /** The token whose {@code jti} is this, from this {@code iss}. */
    record Jti(String issuer, String jti) implements Match {
      public Jti {
        requireText(issuer, "iss");
        requireText(jti, "jti");
      }
    }

    /** The token whose SHA-256 (64 lower-case hex digits) is this. */
    record TokenHash(String sha256) implements Match {
      public TokenHash {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException("token_sha256 must be 64 lower-case hex digits");
        }
      }
    }

    /**
     * Every token of {@code subject} issued before {@code before} (its {@code iat}), from {@code
     * issuer} or, when empty, from any issuer. A token of the subject without {@code iat} is refused
     * too: its age cannot be shown.
     */
    record Subject(Optional<String> issuer, String subject, Instant before) implements Match {
      public Subject {
        Objects.requireNonNull(issuer, "issuer");
        issuer.ifPresent(i -> requireText(i, "iss"));
        requireText(subject, "sub");
        Objects.requireNonNull(before, "before");
      }
    }
  }

  public DenyEntry {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The SHA-256 of a token, as {@link Match.TokenHash} holds it. */
  public static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** 24 hex digits of the SHA-256 of the kind and the matched values: the same entry has the same id everywhere. */
  public String id() {
    String key;
    if (match instanceof Match.Jti j) key = "jti\n" + j.issuer() + "\n" + j.jti();
    else if (match instanceof Match.TokenHash h) key = "hash\n" + h.sha256();
    else if (match instanceof Match.Subject s) key = "sub\n" + s.issuer().orElse("") + "\n" + s.subject();
    else throw new AssertionError("unknown match " + match);
    return sha256(key).substring(0, 24);
  }

  /** Whether the entry is dropped at {@code now}. */
  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** The form kept in Redis and shown by the admin API and the CLI. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id());
    if (match instanceof Match.Jti j) o.put("type", "jti").put("iss", j.issuer()).put("jti", j.jti());
    else if (match instanceof Match.TokenHash h) o.put("type", "token").put("token_sha256", h.sha256());
    else if (match instanceof Match.Subject s) {
      o.put("type", "sub");
      s.issuer().ifPresent(i -> o.put("iss", i));
      o.put("sub", s.subject()).put("before", s.before().toString());
    } else {
      throw new AssertionError("unknown match " + match);
    }
    return o.put("created_at", createdAt.toString()).put("expires_at", expiresAt.toString());
  }

  /** The entry {@link #toJson} wrote. @throws IllegalArgumentException for anything else */
  public static DenyEntry fromJson(JsonObject o) {
    try {
      String type = o.getString("type");
      Match m = switch (type == null ? "" : type) {
        case "jti" -> new Match.Jti(o.getString("iss"), o.getString("jti"));
        case "token" -> new Match.TokenHash(o.getString("token_sha256"));
        case "sub" -> new Match.Subject(Optional.ofNullable(o.getString("iss")), o.getString("sub"), Instant.parse(o.getString("before")));
        default -> throw new IllegalArgumentException("unknown entry type " + type);
      };
      return new DenyEntry(m, Instant.parse(o.getString("created_at")), Instant.parse(o.getString("expires_at")));
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) throw e;
      throw new IllegalArgumentException("not a deny-list entry: " + e.getMessage(), e);
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " is required");
    if (value.length() > 1024) throw new IllegalArgumentException(name + " is longer than 1024 characters");
  }
}
