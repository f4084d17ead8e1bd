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
 * @param bodyTimeout a client must send its whole request body within this, counted from when the
 *     request is forwarded; 408 past it (default 60s)
 * @param bufferBodyBytes bodies up to this size are read whole before an upstream connection is
 *     taken (default 64 KiB; 0 streams every body)
 * @param bodyMinRate bytes per second a body must average once {@code bodyMinRateGrace} has passed,
 *     408 below it (default 500; 0 sets no rate)
 * @param bodyMinRateGrace how long a body may take before {@code bodyMinRate} applies (default 20s)
 * @param maxConnections client connections the listener holds at once; empty: derived at start
 *     from the process's descriptor limit ({@code gatehouse.transport.ConnectionBudget})
 * @param bufferBodyTotal what all bodies being read whole may hold together; empty: a quarter of
 *     the heap the old generation leaves for clients ({@code gatehouse.transport.ConnectionBudget})
 * @param maxHeaderFields header fields a request head may have (its trailers count too); 431 past
 *     it, refused as the head is read (default 100, as Envoy's {@code max_headers_count} and
 *     Apache's {@code LimitRequestFields})
 */
public record LimitsConfig(
    int maxRequestLineBytes,
    int maxHeaderBytes,
    long maxBodyBytes,
    Duration idleTimeout,
    Duration headerReadTimeout,
    Duration bodyTimeout,
    long bufferBodyBytes,
    long bodyMinRate,
    Duration bodyMinRateGrace,
    OptionalInt maxConnections,
    int maxHeaderFields,
    java.util.OptionalLong bufferBodyTotal) {
  /** The default of {@code limits.max_header_fields}. */
  public static final int DEFAULT_MAX_HEADER_FIELDS = 100;

  /** With {@code max_connections} derived from the descriptor limit and 100 header fields at most. */
  public LimitsConfig(int maxRequestLineBytes, int maxHeaderBytes, long maxBodyBytes, Duration idleTimeout, Duration headerReadTimeout,
      Duration bodyTimeout, long bufferBodyBytes, long bodyMinRate, Duration bodyMinRateGrace) {
    this(maxRequestLineBytes, maxHeaderBytes, maxBodyBytes, idleTimeout, headerReadTimeout, bodyTimeout, bufferBodyBytes, bodyMinRate,
        bodyMinRateGrace, OptionalInt.empty(), DEFAULT_MAX_HEADER_FIELDS, java.util.OptionalLong.empty());
  }
}
