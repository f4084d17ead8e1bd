package gatehouse.logging;

import java.time.Duration;

/**
 * Durations as log lines show them: {@code 250ms}, {@code 1.5s}, {@code 55s}, {@code 1m30s},
 * {@code 24h}, in the units the config is written in, never ISO-8601 {@code PT55.004401998S}.
 * Under a second: whole milliseconds. Under ten seconds: seconds with one decimal (dropped when
 * zero). Otherwise hours, minutes and whole seconds, each shown only when not zero; rounding is to
 * the nearest unit shown. Every log statement that prints a {@link Duration} goes through here.
 */
public final class Durations {
  private Durations() {}

  public static String text(Duration d) {
    if (d == null) return "null";
    // Beyond what toNanos holds (about 292 years) only the hours matter.
    if (Math.abs(d.getSeconds() / 3600) >= 2_500_000) return d.getSeconds() / 3600 + "h";
    if (d.isNegative()) return "-" + text(d.negated());
    long nanos = d.toNanos();
    long ms = (nanos + 500_000) / 1_000_000;
    if (ms < 1_000) return ms + "ms";
    long tenths = (nanos + 50_000_000) / 100_000_000;
    if (tenths < 100) return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
    long seconds = (nanos + 500_000_000) / 1_000_000_000;
    StringBuilder out = new StringBuilder();
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    if (h > 0) out.append(h).append('h');
    if (m > 0) out.append(m).append('m');
    if (s > 0 || out.length() == 0) out.append(s).append('s');
    return out.toString();
  }
}
