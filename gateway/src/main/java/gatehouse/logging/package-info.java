/**
 * Helpers for application log lines that any package may use: {@link gatehouse.logging.Durations}
 * (durations as the config writes them) and {@link gatehouse.logging.ThrottledLog} (at most one
 * line per dependency per window). Depends on no other gatehouse package, so the authenticators
 * can log through it without depending on {@code observe}, which reads the pipeline's outcomes.
 */
package gatehouse.logging;
