package gatehouse.observe;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.RouteConfig;
import gatehouse.credential.CredentialCarriers;
import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Proxied;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, built from the decided {@link Outcome}, so what is logged is what was
 * decided. Logger {@code gatehouse.access}; logfmt. The target is logged with every credential in
 * it redacted to its fingerprint ({@link CredentialCarriers#redact}); the credential that was
 * presented appears only as its fingerprint.
 */
public final class LegacyAccessLog {
  private static final Logger log = LoggerFactory.getLogger("gatehouse.access");
  private static final int MAX_TARGET = 256;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Map<Scheme, String> SCHEMES = schemeNames();

  private final CredentialCarriers carriers;
  private final Logger logger;
  private final DirectLines direct;

  public LegacyAccessLog(Optional<String> apiKeyQueryParam) {
    this(apiKeyQueryParam, log);
  }

  LegacyAccessLog(Optional<String> apiKeyQueryParam, Logger logger) {
    this.carriers = new CredentialCarriers(apiKeyQueryParam);
    this.logger = logger;
    this.direct = DirectLines.of(logger).orElse(null);
  }

  /**
   * Logs request {@code id}, which took {@code elapsedNanos}. With the gateway's own logging the
   * line is written into this thread's buffer of the {@link BatchingAppender} ({@link DirectLines});
   * with any other Logback configuration it is an ordinary event whose text an appender builds
   * when it asks for it, from values that never change.
   */
  public void record(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long elapsedNanos) {
    BatchingAppender.Lines line = direct == null ? null : direct.begin();
    if (line != null) {
      try {
        appendLine(line.text(), id, head.method(), head.rawTarget(), outcome, proxied, elapsedNanos);
        line.end();
        return;
      } catch (RuntimeException e) {
        // An outcome the line cannot spell (a bug) must not fail the request: Logback's path
        // below reports it as a line it could not encode, as it always has.
      }
    }
    if (!logger.isInfoEnabled()) return;
    logger.info("{}", new Entry(id, head.method(), head.rawTarget(), outcome, proxied, elapsedNanos));
  }

  /** Whether lines go around Logback ({@link DirectLines}); for tests. */
  boolean direct() {
    return direct != null;
  }

  /** One request as logged; immutable, so any thread may format it. */
  private final class Entry implements LogText {
    private final String id;
    private final String method;
    private final String rawTarget;
    private final Outcome outcome;
    private final Optional<Proxied> proxied;
    private final long elapsedNanos;

    Entry(String id, String method, String rawTarget, Outcome outcome, Optional<Proxied> proxied, long elapsedNanos) {
      this.id = id;
      this.method = method;
      this.rawTarget = rawTarget;
      this.outcome = outcome;
      this.proxied = proxied;
      this.elapsedNanos = elapsedNanos;
    }

    @Override
    public void appendTo(StringBuilder out) {
      appendLine(out, id, method, rawTarget, outcome, proxied, elapsedNanos);
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(256);
      appendTo(out);
      return out.toString();
    }
  }

  String line(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long elapsedNanos) {
    return new Entry(id, head.method(), head.rawTarget(), outcome, proxied, elapsedNanos).toString();
  }

  private void appendLine(StringBuilder out, String id, String method, String rawTarget, Outcome outcome, Optional<Proxied> proxied,
      long elapsedNanos) {
    out.append("id=").append(id);
    appendSafe(out.append(" method="), method);
    appendSafe(out.append(" target=\""), redact(rawTarget)).append('"');
    if (outcome.matchedRoute().isPresent()) {
      RouteConfig route = outcome.matchedRoute().get();
      appendSafe(out.append(" route="), route.id()).append(" policy=").append(route.policy().kind());
    }
    if (outcome instanceof Outcome.Forward f) {
      if (f.identity().isPresent()) appendIdentity(out, f.identity().get());
      if (f.credentialFingerprint().isPresent()) out.append(" credential=").append(f.credentialFingerprint().get());
      appendSafe(out.append(" upstream="), f.route().upstream());
      Proxied p = proxied.orElseThrow(() -> new IllegalStateException("a forwarded request is logged after the proxy answered"));
      if (p instanceof Proxied.Responded r) {
        out.append(" outcome=forwarded status=").append(r.status()).append(" bytes_in=").append(r.requestBytes()).append(" bytes_out=").append(r.responseBytes());
      } else if (p instanceof Proxied.Failed failed) {
        ErrorResponses.Reply reply = ErrorResponses.of(failed.rejection());
        out.append(" outcome=upstream_failed status=").append(reply.status()).append(" error=").append(reply.code());
      } else if (p instanceof Proxied.Aborted a) {
        appendSafe(out.append(" outcome=aborted reason=\""), a.reason()).append('"');
      } else {
        throw new AssertionError("unknown proxied " + p);
      }
    } else if (outcome instanceof Outcome.Reject r) {
      // Who was refused (a 403): the verified subject, never the credential, which is a fingerprint.
      if (r.identity().isPresent()) appendIdentity(out, r.identity().get());
      if (r.credentialFingerprint().isPresent()) out.append(" credential=").append(r.credentialFingerprint().get());
      ErrorResponses.Reply reply = ErrorResponses.of(r.rejection());
      out.append(" outcome=rejected status=").append(reply.status());
      appendSafe(out.append(" error="), reply.code());
      if (r.rejection() instanceof Rejection.Unauthenticated u && u.failure().isPresent()) {
        appendSafe(out.append(" reason="), u.failure().get().code());
        appendSafe(out.append(" detail=\""), u.failure().get().detail()).append('"');
      }
    } else {
      throw new AssertionError("unknown outcome " + outcome);
    }
    long hundredths = (elapsedNanos + 5_000) / 10_000;
    out.append(" latency_ms=").append(hundredths / 100).append('.');
    if (hundredths % 100 < 10) out.append('0');
    out.append(hundredths % 100);
  }

  private static void appendIdentity(StringBuilder out, Identity i) {
    out.append(" scheme=").append(SCHEMES.get(i.scheme()));
    appendSafe(out.append(" issuer="), i.issuer());
    appendSafe(out.append(" subject=\""), i.subject()).append('"');
  }

  private static Map<Scheme, String> schemeNames() {
    Map<Scheme, String> names = new EnumMap<>(Scheme.class);
    for (Scheme scheme : Scheme.values()) names.put(scheme, scheme.name().toLowerCase(Locale.ROOT));
    return names;
  }

  /** {@code target} with every credential redacted ({@link CredentialCarriers#redact}). */
  String redact(String target) {
    return carriers.redact(target);
  }

  /** Log-injection safe: no control characters, quotes or backslashes; at most 256 characters. */
  static String safe(String s) {
    return appendSafe(new StringBuilder(), s).toString();
  }

  /** Appends {@code s} as {@link #safe} spells it, in one pass without a copy. */
  private static StringBuilder appendSafe(StringBuilder out, String s) {
    if (s == null) return out.append('-');
    int written = 0;
    for (int i = 0; i < s.length() && written < MAX_TARGET; i++, written++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        written += 3;
      } else {
        out.append(c);
      }
    }
    if (s.length() > MAX_TARGET) out.append("...");
    return out;
  }
}
