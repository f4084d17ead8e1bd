package gatehouse.abuse;

import java.time.Duration;

/**
 * How long and how hard the suite attacks. {@link #CI} is the fast part run by {@code AbuseIT}
 * on every build; {@link #FULL} is {@code bench/abuse.sh}, at the scale of issue 20.
 *
 * @param attack how long each attack runs
 * @param flood connections of the slowloris and idle floods
 * @param h2Connections connections of the HTTP/2 rapid reset (the stream and CONTINUATION floods use 2 / 5 of them)
 * @param canaryPerSecond each canary's request rate
 */
public record Scale(String name, Duration attack, int flood, int h2Connections, int canaryPerSecond) {
  public static final Scale CI = new Scale("ci", Duration.ofSeconds(4), 1000, 10, 50);
  public static final Scale FULL = new Scale("full", Duration.ofSeconds(30), 5000, 50, 50);

  /** {@link #FULL} when the system property {@code gatehouse.abuse.scale} is {@code full}, else {@link #CI}. */
  public static Scale fromSystemProperty() {
    return "full".equals(System.getProperty("gatehouse.abuse.scale")) ? FULL : CI;
  }
}
