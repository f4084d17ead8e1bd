package gatehouse.abuse;

/**
 * What one attack did: its volume, what the canaries saw during it, the gateway's memory and
 * descriptors before, at peak (sampled every 100 ms) and after, and the lines it logged meanwhile.
 *
 * @param error why the attack could not run, or empty
 */
record Result(String attack, String unit, long volume, long seconds, double cpuSeconds, Canary.Stats same, Canary.Stats other,
    Probe.Sample before, Probe.Sample peak, Probe.Sample after, long upstreamBefore, long upstreamAfter, long logLines, long logBytes, boolean survived,
    String logExcerpt, String error) {
  static final long RSS_TARGET_KIB = 256 * 1024;
  static final double CANARY_TARGET = 0.99;
  /** Log lines an attack may cause, whatever its volume: a few throttled lines per interval and kind. */
  static final long LOG_LINES_TARGET = 20;
  /** Descriptors above the start allowed once the attack is over, not counting connections to the upstreams (a pool may keep them). */
  static final long FD_SLACK = 32;

  /** Each target this result misses, by how much; empty when it meets all of them. */
  java.util.List<String> misses() {
    java.util.List<String> misses = new java.util.ArrayList<>();
    if (!error.isEmpty()) misses.add(attack + ": did not run: " + error);
    if (!survived) misses.add(attack + ": the gateway exited");
    if (same.successRate() < CANARY_TARGET) {
      misses.add(String.format("%s: canary success on the same upstream %.2f%% < 99%% (failures %s)", attack, 100 * same.successRate(), same.failures()));
    }
    if (other.successRate() < CANARY_TARGET) {
      misses.add(String.format("%s: canary success on the other upstream %.2f%% < 99%% (failures %s)", attack, 100 * other.successRate(), other.failures()));
    }
    if (peak.rssKib() > RSS_TARGET_KIB) misses.add(attack + ": RSS peak " + peak.rssKib() / 1024 + " MiB > 256 MiB");
    if (logLines > LOG_LINES_TARGET) {
      misses.add(attack + ": " + logLines + " log lines (> " + LOG_LINES_TARGET + ") for " + volume + " " + unit + "; first: " + logExcerpt);
    }
    if (after.fds() - upstreamAfter > before.fds() - upstreamBefore + FD_SLACK) {
      misses.add(String.format("%s: %d descriptors after (%d of them upstream connections), %d before (%d), slack %d",
          attack, after.fds(), upstreamAfter, before.fds(), upstreamBefore, FD_SLACK));
    }
    return misses;
  }
}
