package gatehouse.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closes an HTTP/2 connection whose client resets most of its streams before they are answered:
 * rapid reset (CVE-2023-44487), by Envoy's rule ({@code overload.premature_reset_total_stream_count}
 * and {@code premature_reset_min_stream_lifetime_seconds}). A stream is reset prematurely when its
 * client resets it within {@link #MIN_LIFETIME_NANOS} of its head and before the gateway began its
 * response. A connection with {@link #LIMIT} such resets that are at least half of its streams is
 * sent GOAWAY (ENHANCE_YOUR_CALM) and closed; a client that sends far more answered streams than
 * it cancels is never closed by it. Envoy closes at 250 (half its default of 500); here it is 50.
 *
 * <p>Why 50, below the 200 RST_STREAM frames Netty allows a connection per 30 s (which stay, for
 * resets of streams already answered): each stream the gateway takes costs about 2 KiB of heap
 * until the next turn of its event loop, and the streams of every connection read in one turn are
 * all alive at once. With 50 connections of rapid reset, at 200 a connection a young collection
 * found 3 to 13 MiB of them alive, promoted them all (the survivor space is 3 MiB), and the old
 * generation grew to the heap's maximum (the serial collector grows it before it collects it):
 * 268 to 301 MiB RSS, over the 256 MiB aimed at. At 50, 188 to 196 MiB (docs/performance.md).
 *
 * <p>The GOAWAY is sent as the reset is read, so the codec refuses the HEADERS still queued in the
 * same read (past the GOAWAY's last stream) without making streams of them. Each connection closed
 * is counted ({@link #connectionsClosed()}, {@code gatehouse_connections_premature_resets_total}),
 * and nothing is logged: a client causes it. Per-connection counts live on the Netty channel, so
 * they go with it; a connection's streams all run on its event loop, which alone touches them.
 */
public final class PrematureResets {
  /** Premature resets that close a connection, once they are at least half of its streams. */
  static final int LIMIT = 50;
  /** A reset later than this after the stream's head is not premature (Envoy: 1 s). */
  static final long MIN_LIFETIME_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** RFC 9113 section 7. */
  private static final long ENHANCE_YOUR_CALM = 0xb;
  private static final AttributeKey<Tally> TALLY = AttributeKey.valueOf("gatehouse.premature-resets");
  private static final LongAdder CLOSED = new LongAdder();

  private PrematureResets() {}

  /** One connection's streams and premature resets; confined to its event loop. */
  private static final class Tally {
    int streams;
    int premature;
    boolean closing;
  }

  /** HTTP/2 connections closed so far for their premature resets, in this process. */
  public static long connectionsClosed() {
    return CLOSED.sum();
  }

  /** An HTTP/2 stream began: its head arrived. */
  static void begun(HttpServerRequest request) {
    Channel channel = RawReplies.channel(request.connection());
    if (channel == null) return;
    Tally tally = channel.attr(TALLY).get();
    if (tally == null) {
      tally = new Tally();
      channel.attr(TALLY).set(tally);
    }
    tally.streams++;
  }

  /**
   * An HTTP/2 stream that began at {@code startedNanos} closed at {@code nowNanos} before it was
   * forwarded or answered, or while it was forwarded; closes its connection when that makes too
   * many premature resets. A stream that closed with its connection (which is then no longer
   * active) or after its response began is not counted.
   */
  static void closed(HttpServerRequest request, long startedNanos, long nowNanos) {
    if (request.version() != HttpVersion.HTTP_2 || request.response().headWritten()
        || nowNanos - startedNanos > MIN_LIFETIME_NANOS) {
      return;
    }
    HttpConnection connection = request.connection();
    Channel channel = RawReplies.channel(connection);
    if (channel == null || !channel.isActive()) return;
    Tally tally = channel.attr(TALLY).get();
    if (tally == null || tally.closing) return;
    tally.premature++;
    if (tooMany(tally.premature, tally.streams)) {
      tally.closing = true;
      CLOSED.increment();
      connection.goAway(ENHANCE_YOUR_CALM);
      connection.close();
    }
  }

  /** Envoy's test: at least {@link #LIMIT} premature resets, and at least half of the streams begun. */
  static boolean tooMany(int premature, int streams) {
    return premature >= LIMIT && 2L * premature >= streams;
  }
}
