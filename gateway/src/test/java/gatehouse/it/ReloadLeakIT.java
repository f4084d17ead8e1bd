package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.server.Reloads;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 22 section 1: reloads do not leak. A config that alternates between two versions, which
 * differ in a route, an upstream's config (so its pools are replaced) and a remote JWT provider's
 * (so its key source is replaced), is reloaded {@code -Dreload.leak.count} times (1,000 by
 * default; the README's figures are of 10,000) while clients send JWT requests without pause.
 * Heap after GC, threads, file descriptors and connections to the upstream are measured after a
 * tenth of the reloads and at the end, and must not grow; no request may fail.
 */
class ReloadLeakIT {
  private static final int CLIENTS = 4;

  @Test
  void reloadsUnderLoadLeaveHeapThreadsDescriptorsAndUpstreamConnectionsFlatAndFailNoRequest() throws Exception {
    int reloads = Integer.getInteger("reload.leak.count", 1000);
    Vertx vertx = TestVertx.create();
    // Not the suite's UpstreamRecorder: it keeps every request it saw, which would be the heap growth measured.
    io.vertx.core.http.HttpServer upstream = await(vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
        .listen(0, "127.0.0.1"));
    LocalJwksServer keys = LocalJwksServer.start(vertx, TestKeys.jwks(TestKeys.rsa()));
    Path dir = Files.createTempDirectory("gatehouse-reload-leak");
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, config(upstream, keys, 0));
    Gatehouse gateway = await(Gatehouse.start(ConfigLoader.load(file), Clock.systemUTC(), vertx, false));
    String token = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("iss", keys.issuer()).claim("sub", "load").sign();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong served = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        Thread t = new Thread(() -> {
          HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/r/x"))
              .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build();
          while (running.get()) {
            try {
              HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
              served.incrementAndGet();
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        }, "reload-leak-client-" + c);
        t.start();
        clients.add(t);
      }
      Figures baseline = null;
      long started = System.nanoTime();
      for (int i = 1; i <= reloads; i++) {
        Files.writeString(file, config(upstream, keys, i % 2));
        Reloads.Result result = await(gateway.reloads().reload("test"));
        assertTrue(result instanceof Reloads.Applied, "reload " + i + ": " + result);
        if (i == reloads / 10) baseline = Figures.measure(upstream.actualPort());
        if (i % (reloads / 10) == 0) System.out.println("ReloadLeakIT progress: " + i + " reloads, " + served.get() + " requests, "
            + failures.size() + " failed; " + (i == reloads / 10 ? baseline : Figures.measure(upstream.actualPort())));
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      Thread.sleep(500);   // the last replaced snapshot drains, its parts close
      Figures end = Figures.measure(upstream.actualPort());
      running.set(false);
      for (Thread t : clients) t.join(15_000);
      String report = reloads + " reloads in " + seconds + " s, " + served.get() + " requests, " + failures.size() + " failed;"
          + " after " + reloads / 10 + ": " + baseline + "; at the end: " + end;
      System.out.println("ReloadLeakIT: " + report);
      assertEquals(List.of(), failures.stream().limit(5).toList(), report);
      // 2 MiB of slack (caches filling, JIT-made classes); each closed client Vert.x 5.0 kept cost about 14 KiB a reload.
      assertTrue(end.heapBytes() < baseline.heapBytes() + 2L * 1024 * 1024, "heap after GC grew: " + report);
      assertTrue(end.threads() <= baseline.threads() + 4, "threads grew: " + report);
      assertTrue(end.descriptors() <= baseline.descriptors() + 16, "descriptors grew: " + report);
      assertTrue(end.upstreamConnections() <= baseline.upstreamConnections() + CLIENTS, "upstream connections grew: " + report);
    } finally {
      running.set(false);
      for (Thread t : clients) t.join(15_000);
      await(gateway.close());
      keys.close();
      await(upstream.close());
      await(vertx.close());
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  /** Version {@code v} (0 or 1) of the config: route id, upstream timeout and provider audiences differ. */
  private static String config(io.vertx.core.http.HttpServer upstream, LocalJwksServer keys, int version) {
    int v = version;
    int jwt = System.getProperty("reload.leak.vary", "all").equals("upstream") ? 0 : v;
    int up = System.getProperty("reload.leak.vary", "all").equals("jwt") ? 0 : v;
    return String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"http://127.0.0.1:" + upstream.actualPort() + "\", timeout: " + (5 + up) + "s}",
        "auth:",
        "  jwt:",
        "    - name: idp",
        "      issuer: \"" + keys.issuer() + "\"",
        "      jwks_uri: \"" + keys.jwksUri() + "\"",
        "      audiences: [" + TestTokens.AUDIENCE + (jwt == 1 ? ", other" : "") + "]",
        "routes:",
        "  - {id: r" + v + ", match: {prefix: /r/}, upstream: app, policy: jwt}",
        "");
  }

  /** What must stay flat. */
  record Figures(long heapBytes, int threads, long descriptors, long upstreamConnections) {
    static Figures measure(int upstreamPort) throws Exception {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
      }
      // The live objects a full GC leaves (what `jcmd GC.class_histogram` sums), not the heap's
      // used bytes, which also count regions the collector has not given back.
      long heap = liveBytes();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      long fds;
      try (var s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      return new Figures(heap, threads, fds, established(upstreamPort));
    }

    static long liveBytes() throws Exception {
      Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
          "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
      String total = histogram.toString().lines().filter(l -> l.startsWith("Total")).findFirst().orElseThrow();
      return Long.parseLong(total.trim().split("\\s+")[2]);
    }

    /** Established TCP connections whose remote end is {@code port} on this host: the gateway's to the upstream. */
    static long established(int port) throws Exception {
      String hex = String.format(":%04X", port);
      long n = 0;
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        Path p = Path.of(table);
        if (!Files.exists(p)) continue;
        for (String line : Files.readAllLines(p)) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && f[2].endsWith(hex) && f[3].equals("01")) n++;
        }
      }
      return n;
    }

    @Override
    public String toString() {
      return String.format("live heap after GC %.1f MiB, %d threads, %d descriptors, %d upstream connections",
          heapBytes / 1048576.0, threads, descriptors, upstreamConnections);
    }
  }
}
