package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private final Metrics metrics = new Metrics();

  @Test
  void rejectionsAreCountedByStatusAndStableErrorCode() {
    Outcome noRoute = new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
    metrics.record(noRoute, Optional.empty(), 1_000_000);
    metrics.record(noRoute, Optional.empty(), 1_000_000);
    String text = metrics.scrape();
    assertTrue(text.contains("gatehouse_requests_total{outcome=\"rejected\",route=\"-\",status=\"404\"} 2.0"), text);
    assertTrue(text.contains("gatehouse_rejections_total{error=\"no_route\",route=\"-\"} 2.0"), text);
    assertTrue(text.contains("gatehouse_request_duration_seconds_count{route=\"-\"} 2"), text);
  }

  @Test
  void latencyBucketsResolveSubMillisecondRequests() {
    Outcome noRoute = new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
    metrics.record(noRoute, Optional.empty(), 200_000);
    metrics.record(noRoute, Optional.empty(), 900_000);
    metrics.record(noRoute, Optional.empty(), 40_000_000_000L);
    String text = metrics.scrape();
    assertTrue(text.contains("gatehouse_request_duration_seconds_bucket{route=\"-\",le=\"1.0E-4\"} 0"), text);
    assertTrue(text.contains("gatehouse_request_duration_seconds_bucket{route=\"-\",le=\"2.5E-4\"} 1"), text);
    assertTrue(text.contains("gatehouse_request_duration_seconds_bucket{route=\"-\",le=\"0.001\"} 2"), text);
    assertTrue(text.contains("gatehouse_request_duration_seconds_bucket{route=\"-\",le=\"30.0\"} 2"), text);
    assertTrue(text.contains("gatehouse_request_duration_seconds_bucket{route=\"-\",le=\"+Inf\"} 3"), text);
    assertEquals(Metrics.LATENCY_BUCKETS.length + 1, text.lines().filter(l -> l.startsWith("gatehouse_request_duration_seconds_bucket")).count());
  }

  @Test
  void readinessChecksBecomeGauges() {
    boolean[] ready = {false};
    metrics.gauge("jwt:main", () -> ready[0]);
    assertTrue(metrics.scrape().contains("gatehouse_dependency_ready{name=\"jwt:main\"} 0.0"));
    ready[0] = true;
    assertTrue(metrics.scrape().contains("gatehouse_dependency_ready{name=\"jwt:main\"} 1.0"));
  }

  /** Issue 18 section 3: the JVM and process families, so resident memory can be told from the heap. */
  @Test
  void jvmAndProcessFamiliesAreExported() {
    String text = metrics.scrape();
    for (String sample : List.of("jvm_memory_used_bytes{area=\"heap\",id=", "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"}",
        "jvm_memory_max_bytes{area=\"heap\",id=", "jvm_buffer_memory_used_bytes{id=\"direct\"}", "jvm_threads_live_threads ",
        "jvm_classes_loaded_classes ", "process_cpu_usage ", "system_cpu_count ", "process_files_open_files ",
        "process_uptime_seconds ", "process_resident_memory_bytes ")) {
      assertTrue(text.contains("\n" + sample), sample + " missing from:\n" + text);
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!metrics.scrape().contains("\njvm_gc_pause_seconds_count{")) { // GC notifications arrive asynchronously
      assertTrue(System.nanoTime() < deadline, "no GC pause recorded");
      System.gc();
      Thread.onSpinWait();
    }
    assertTrue(ResidentMemory.read() > 1 << 20, "VmRSS read from /proc/self/status");
    assertEquals(178304.0 * 1024, ResidentMemory.parse("VmRSS:\t  178304 kB"));
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    metrics.close();
  }
}
