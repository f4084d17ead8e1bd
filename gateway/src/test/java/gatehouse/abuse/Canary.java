package gatehouse.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;

/**
 * A well-behaved client: {@code GET path} at a steady rate, each on a new connection (so a gateway
 * that stops accepting is seen), with {@code Connection: close} and a 5 s budget for the whole
 * exchange. Success is a 200. Requests are started on schedule whether or not earlier ones have
 * answered, as independent users would send them.
 */
final class Canary implements AutoCloseable {
  static final int TIMEOUT_MILLIS = 5_000;
  private static final int THREADS = 64;

  /** What the canary saw: requests sent, answered 200, the 99th percentile latency of all, and failures by kind. */
  record Stats(long sent, long ok, double p99Millis, Map<String, Long> failures) {
    double successRate() {
      return sent == 0 ? 0 : (double) ok / sent;
    }
  }

  private final int port;
  private final String path;
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService senders =
      new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
  private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Long> failures = Collections.synchronizedMap(new TreeMap<>());

  private Canary(int port, String path) {
    this.port = port;
    this.path = path;
  }

  /** Starts sending {@code perSecond} requests a second. */
  static Canary start(int port, String path, int perSecond) {
    Canary c = new Canary(port, path);
    c.clock.scheduleAtFixedRate(c::fire, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    return c;
  }

  private void fire() {
    try {
      long scheduled = System.nanoTime();
      senders.execute(() -> once(scheduled));
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  /** One exchange; its latency counts from when it was due, so a canary held back by a busy client is not flattered. */
  private void once(long start) {
    String outcome;
    String phase = "connect";
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
      phase = "exchange";
      s.setSoTimeout(TIMEOUT_MILLIS);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: canary.test\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      outcome = status(s.getInputStream());
    } catch (java.net.SocketTimeoutException e) {
      outcome = "timeout";
    } catch (IOException e) {
      outcome = phase + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
    long elapsed = System.nanoTime() - start;
    if (elapsed > TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS) && outcome.equals("200")) outcome = "slower than 5 s";
    latencies.add(elapsed);
    if (!outcome.equals("200")) failures.merge(outcome, 1L, Long::sum);
  }

  /** The status code of the response, read whole (it must end for the exchange to count), or what ended it. */
  private static String status(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) return text.isEmpty() ? "closed" : "garbled";
    return text.substring(9, 12);
  }

  /** Stops sending, waits for the requests in flight, and returns what was seen. */
  Stats stop() throws InterruptedException {
    clock.shutdownNow();
    senders.shutdown();
    senders.awaitTermination(2 * TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    List<Long> sorted;
    synchronized (latencies) {
      sorted = new ArrayList<>(latencies);
    }
    Collections.sort(sorted);
    double p99 = sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1e6;
    long failed;
    synchronized (failures) {
      failed = failures.values().stream().mapToLong(Long::longValue).sum();
      return new Stats(sorted.size(), sorted.size() - failed, p99, Map.copyOf(failures));
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
