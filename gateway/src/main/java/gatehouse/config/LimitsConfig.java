package gatehouse.config;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * {@code limits:}, protection against oversized or slow clients.
 *
 * @param maxRequestLineBytes longer request lines get 414 (default 8192)
 * @param maxHeaderBytes larger header blocks get 431 (default 16384)
 * @param maxBodyBytes default body limit of every route, 413 past it (default 10 MiB; routes may
 *     override with {@code max_body})
 * @param idleTimeout a connection with no traffic for this long is closed (default 60s)
 * @param headerReadTimeout a client must send its whole request head within this (default 10s)
 * @param maxConnections client connections the listener holds at once; empty: derived at start
 *     from the process's descriptor limit ({@code gatehouse.server.ConnectionCap})
 */
public record LimitsConfig(
    int maxRequestLineBytes,
    int maxHeaderBytes,
    long maxBodyBytes,
    Duration idleTimeout,
    Duration headerReadTimeout,
    OptionalInt maxConnections) {
  /** With {@code max_connections} derived from the descriptor limit. */
  public LimitsConfig(int maxRequestLineBytes, int maxHeaderBytes, long maxBodyBytes, Duration idleTimeout, Duration headerReadTimeout) {
    this(maxRequestLineBytes, maxHeaderBytes, maxBodyBytes, idleTimeout, headerReadTimeout, OptionalInt.empty());
  }
}
