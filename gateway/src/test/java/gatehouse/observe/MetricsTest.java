package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
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
}
