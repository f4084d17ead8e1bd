package gatehouse.observe;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.AccessLogConfig;
import gatehouse.config.AccessLogConfig.Format;
import gatehouse.config.RouteConfig;
import gatehouse.credential.CredentialCarriers;
import gatehouse.logging.ThrottledLog;
import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Proxied;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * One line per request, built from the decided {@link Outcome}, so what is logged is what was
 * decided, and handed to an {@link AccessLogWriter} of its own, outside the application log. In
 * logfmt a line reads {@code 2026-11-29T01:25:49.998Z INFO  gatehouse.access id=... trace=... latency_ms=1.21};
 * in JSON {@code {"time":"2026-11-29T01:25:49.998Z","id":"...","trace":"...",...,"latency_ms":1.21}}, with the
 * same text in every string field. The target is logged with every credential in it redacted to
 * its fingerprint ({@link CredentialCarriers#redact}); the credential that was presented appears
 * only as its fingerprint. {@code trace} is the request's W3C trace id, as forwarded upstream.
 */
public final class AccessLog implements AutoCloseable {
  private static final int MAX_TARGET = 256;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Map<Scheme, String> SCHEMES = schemeNames();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String LOGFMT_HEADER = " INFO  gatehouse.access";

  private final CredentialCarriers carriers;
  private final Format format;
  private final AccessLogWriter writer;
  private final Clock clock;
  private final ThrottledLog failures;
  private final ThreadLocal<Line> lines = ThreadLocal.withInitial(Line::new);
  private final Thread onExit;

  /** A line being built by one thread, and the time text of the millisecond it was last built in. */
  private static final class Line {
    final StringBuilder text = new StringBuilder(512);
    long millis = Long.MIN_VALUE;
    String time = "";
  }

  /**
   * Opens the target {@code config} names (a file is created when missing and reopened on {@code
   * SIGUSR1}) and starts its writer, which {@link #close} or the JVM's exit flushes.
   */
  public static AccessLog open(AccessLogConfig config, Optional<String> apiKeyQueryParam, Clock clock) {
    AccessLogWriter.Target target;
    try {
      target = config.file().isPresent() ? AccessLogWriter.Target.file(config.file().get()) : AccessLogWriter.Target.stderr();
    } catch (IOException e) {
      throw new UncheckedIOException("access_log.target: cannot open " + config.file().get(), e);
    }
    AccessLog log = new AccessLog(config.format(), new AccessLogWriter(target, config.flushInterval(), clock), apiKeyQueryParam, clock, true);
    if (config.file().isPresent()) ReopenSignal.install(log.writer::reopen);
    return log;
  }

  AccessLog(Format format, AccessLogWriter writer, Optional<String> apiKeyQueryParam, Clock clock, boolean flushOnExit) {
    this.carriers = new CredentialCarriers(apiKeyQueryParam);
    this.format = format;
    this.writer = writer;
    this.clock = clock;
    this.failures = new ThrottledLog(LoggerFactory.getLogger(AccessLog.class), clock);
    this.onExit = flushOnExit ? new Thread(writer::close, "gatehouse-access-log-exit") : null;
    if (onExit != null) Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** Logs request {@code id}, which took {@code elapsedNanos}. Never blocks; never throws. */
  public void record(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long elapsedNanos) {
    String line;
    try {
      line = line(id, head, outcome, proxied, elapsedNanos);
    } catch (RuntimeException e) {
      // An outcome the line cannot spell is a bug; it must not fail the request.
      failures.error("access log: cannot write the line of request {}", id, e);
      return;
    }
    writer.write(line);
  }

  /** Lines dropped because the target did not keep up. */
  public long dropped() {
    return writer.dropped();
  }

  /** Writes every line recorded before this call and closes the target. */
  @Override
  public void close() {
    writer.close();
    if (onExit == null) return;
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException exiting) {
      // The JVM is exiting and runs the hook itself.
    }
  }

  /** The line of one request, without its newline. */
  String line(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long elapsedNanos) {
    Line line = lines.get();
    StringBuilder out = line.text;
    out.setLength(0);
    long now = clock.millis();
    if (now != line.millis) {
      line.time = TIME.format(Instant.ofEpochMilli(now));
      line.millis = now;
    }
    if (format == Format.JSON) {
      out.append("{\"time\":\"").append(line.time).append('"');
    } else {
      out.append(line.time).append(LOGFMT_HEADER);
    }
    appendFields(out, id, head.trace().traceId(), head.method(), head.rawTarget(), outcome, proxied, elapsedNanos);
    if (format == Format.JSON) out.append('}');
    String text = out.toString();
    if (out.capacity() > 64 * 1024) {
      // One huge line must not keep its buffer for good.
      out.setLength(0);
      out.trimToSize();
    }
    return text;
  }

  private void appendFields(StringBuilder out, String id, String traceId, String method, String rawTarget, Outcome outcome,
      Optional<Proxied> proxied, long elapsedNanos) {
    token(out, "id", id);
    token(out, "trace", traceId);
    text(out, "method", method);
    quoted(out, "target", redact(rawTarget));
    if (outcome.matchedRoute().isPresent()) {
      RouteConfig route = outcome.matchedRoute().get();
      text(out, "route", route.id());
      token(out, "policy", route.policy().kind());
    }
    if (outcome instanceof Outcome.Forward f) {
      if (f.identity().isPresent()) appendIdentity(out, f.identity().get());
      if (f.credentialFingerprint().isPresent()) token(out, "credential", f.credentialFingerprint().get());
      text(out, "upstream", f.route().upstream());
      Proxied p = proxied.orElseThrow(() -> new IllegalStateException("a forwarded request is logged after the proxy answered"));
      if (p instanceof Proxied.Responded r) {
        token(out, "outcome", "forwarded");
        number(out, "status", r.status());
        number(out, "bytes_in", r.requestBytes());
        number(out, "bytes_out", r.responseBytes());
      } else if (p instanceof Proxied.Failed failed) {
        ErrorResponses.Reply reply = ErrorResponses.of(failed.rejection());
        token(out, "outcome", "upstream_failed");
        number(out, "status", reply.status());
        token(out, "error", reply.code());
      } else if (p instanceof Proxied.Aborted a) {
        token(out, "outcome", "aborted");
        quoted(out, "reason", a.reason());
      } else {
        throw new AssertionError("unknown proxied " + p);
      }
    } else if (outcome instanceof Outcome.Reject r) {
      // Who was refused (a 403): the verified subject, never the credential, which is a fingerprint.
      if (r.identity().isPresent()) appendIdentity(out, r.identity().get());
      if (r.credentialFingerprint().isPresent()) token(out, "credential", r.credentialFingerprint().get());
      ErrorResponses.Reply reply = ErrorResponses.of(r.rejection());
      token(out, "outcome", "rejected");
      number(out, "status", reply.status());
      text(out, "error", reply.code());
      if (r.rejection() instanceof Rejection.Unauthenticated u && u.failure().isPresent()) {
        text(out, "reason", u.failure().get().code());
        quoted(out, "detail", u.failure().get().detail());
      }
    } else {
      throw new AssertionError("unknown outcome " + outcome);
    }
    long hundredths = (elapsedNanos + 5_000) / 10_000;
    key(out, "latency_ms").append(hundredths / 100).append('.');
    if (hundredths % 100 < 10) out.append('0');
    out.append(hundredths % 100);
  }

  private void appendIdentity(StringBuilder out, Identity i) {
    token(out, "scheme", SCHEMES.get(i.scheme()));
    text(out, "issuer", i.issuer());
    quoted(out, "subject", i.subject());
  }

  private StringBuilder key(StringBuilder out, String key) {
    return format == Format.JSON ? out.append(",\"").append(key).append("\":") : out.append(' ').append(key).append('=');
  }

  /** A value the gateway makes (an id, a fingerprint, a code): written as it is in logfmt. */
  private void token(StringBuilder out, String key, String value) {
    if (format == Format.JSON) {
      text(out, key, value);
    } else {
      key(out, key).append(value);
    }
  }

  /**
   * A value from outside, made {@link #safe}: unquoted in logfmt; in JSON a string that decodes to
   * the same text (the backslash of {@code \x0a} escaped).
   */
  private void text(StringBuilder out, String key, String value) {
    if (format == Format.JSON) {
      quoted(out, key, value);
    } else {
      appendSafe(key(out, key), value);
    }
  }

  /** A value from outside that may hold spaces, made {@link #safe} and quoted. */
  private void quoted(StringBuilder out, String key, String value) {
    appendSafe(key(out, key).append('"'), value, format == Format.JSON ? "\\\\x" : "\\x").append('"');
  }

  private void number(StringBuilder out, String key, long value) {
    key(out, key).append(value);
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
    return appendSafe(out, s, "\\x");
  }

  /** As {@link #appendSafe(StringBuilder, String)}, with {@code escape} before the two hex digits. */
  private static StringBuilder appendSafe(StringBuilder out, String s, String escape) {
    if (s == null) return out.append('-');
    int written = 0;
    for (int i = 0; i < s.length() && written < MAX_TARGET; i++, written++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(escape).append(HEX[c >> 4]).append(HEX[c & 0xf]);
        written += 3;
      } else {
        out.append(c);
      }
    }
    if (s.length() > MAX_TARGET) out.append("...");
    return out;
  }
}
