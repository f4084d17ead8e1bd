package gatehouse.abuse;

import java.util.List;
import java.util.Map;

/** The suite's results as markdown: one table row per attack, then the targets each missed. */
final class Report {
  private Report() {}

  static String markdown(String title, Scale scale, List<Result> results, String how) {
    StringBuilder md = new StringBuilder("# ").append(title).append("\n\n").append(how).append("\n\n");
    md.append("Scale `").append(scale.name()).append("`: each attack ").append(scale.attack().toSeconds())
        .append(" s; canaries ").append(scale.canaryPerSecond()).append(" req/s each, a new connection per request.")
        .append(" Targets: canary success ≥ 99% on both upstreams, RSS peak ≤ 256 MiB, at most ")
        .append(Result.LOG_LINES_TARGET).append(" log lines per attack, descriptors back within ")
        .append(Result.FD_SLACK).append(" of the start once the attack is over, connections to the upstreams aside (a pool may keep them).\n\n");
    md.append("| Attack | Volume | Gateway CPU s | Canary same: ok / sent | Canary other: ok / sent | Canary p99 same / other (ms) | RSS MiB before / peak / after | fds before / peak / after (upstream conns before / after) | Log lines (bytes) | Targets |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      md.append(String.format("| %s | %,d %s in %d s | %.1f | %s | %s | %.0f / %.0f | %d / %d / %d | %d / %d / %d (%d / %d) | %d (%,d) | %s |%n",
          r.attack(), r.volume(), r.unit(), r.seconds(), r.cpuSeconds(), canary(r.same()), canary(r.other()), r.same().p99Millis(),
          r.other().p99Millis(), r.before().rssKib() / 1024, r.peak().rssKib() / 1024, r.after().rssKib() / 1024,
          r.before().fds(), r.peak().fds(), r.after().fds(), r.upstreamBefore(), r.upstreamAfter(), r.logLines(), r.logBytes(), r.misses().isEmpty() ? "met" : "**missed**"));
    }
    List<String> misses = results.stream().flatMap(r -> r.misses().stream()).toList();
    md.append("\n").append(misses.isEmpty() ? "Every attack met every target.\n" : "Missed targets:\n");
    for (String m : misses) md.append("- ").append(m.replace("|", "\\|")).append("\n");
    List<Result> logged = results.stream().filter(r -> r.logLines() > 0).toList();
    if (!logged.isEmpty()) md.append("\nThe first line each attack made the gateway log:\n");
    for (Result r : logged) md.append("- ").append(r.attack()).append(": `").append(r.logExcerpt().replace("`", "'")).append("`\n");
    return md.toString();
  }

  private static String canary(Canary.Stats s) {
    String text = String.format("%d / %d (%.1f%%)", s.ok(), s.sent(), 100 * s.successRate());
    Map<String, Long> f = s.failures();
    return f.isEmpty() ? text : text + " " + f.toString().replace("|", "\\|");
  }
}
