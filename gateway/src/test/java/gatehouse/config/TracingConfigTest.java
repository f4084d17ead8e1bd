package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TracingConfigTest {

  private static String withTracing(String tracing) {
    return TestConfigs.MINIMAL + tracing;
  }

  @Test
  void tracingIsOffWithoutASection() throws ConfigException {
    assertEquals(TracingConfig.OFF, parse(TestConfigs.MINIMAL).tracing());
    assertEquals(Optional.empty(), parse(withTracing("tracing: {}\n")).tracing().otlp());
  }

  @Test
  void everyKeyIsReadAsWritten() throws ConfigException {
    assertEquals(new TracingConfig(Optional.of(new TracingConfig.Otlp(URI.create("http://127.0.0.1:4318/v1/traces"))), 0.25, "edge-eu"),
        parse(withTracing("tracing: {otlp: {endpoint: http://127.0.0.1:4318/v1/traces, protocol: http/protobuf},"
            + " sample_ratio: 0.25, service_name: edge-eu}\n")).tracing());
    assertEquals(new TracingConfig(Optional.of(new TracingConfig.Otlp(URI.create("https://collector.internal/v1/traces"))), 1.0, "gatehouse"),
        parse(withTracing("tracing: {otlp: {endpoint: https://collector.internal/v1/traces}}\n")).tracing());
  }

  @Test
  void mistakesNameFileLineAndKey() {
    int line = TestConfigs.MINIMAL.split("\n", -1).length;
    String at = "gatehouse.yaml:" + line + ": ";
    assertEquals(List.of(at + "tracing.sample_rate: unknown key 'sample_rate' (did you mean 'sample_ratio'?)"),
        problems(withTracing("tracing: {sample_rate: 1}\n")));
    assertEquals(List.of(at + "tracing.otlp.protocol: expected http/protobuf (the only protocol), got 'grpc'"),
        problems(withTracing("tracing: {otlp: {endpoint: http://127.0.0.1:4318/v1/traces, protocol: grpc}}\n")));
    assertEquals(List.of(at + "tracing.otlp.endpoint: is required"), problems(withTracing("tracing: {otlp: {}}\n")));
    assertEquals(List.of(at + "tracing.otlp.endpoint: must not contain user info (credentials in a URL end up in logs)"),
        problems(withTracing("tracing: {otlp: {endpoint: \"http://u:p@127.0.0.1:4318/v1/traces\"}}\n")));
    assertEquals(List.of(at + "tracing.otlp.endpoint: 'grpc://127.0.0.1:4317' must be an http:// or https:// URL"),
        problems(withTracing("tracing: {otlp: {endpoint: \"grpc://127.0.0.1:4317\"}}\n")));
    assertEquals(List.of(at + "tracing.sample_ratio: expected a number from 0 to 1, got '1.5'"),
        problems(withTracing("tracing: {sample_ratio: 1.5}\n")));
    assertEquals(List.of(at + "tracing.sample_ratio: expected a number from 0 to 1, got 'NaN'"),
        problems(withTracing("tracing: {sample_ratio: NaN}\n")));
    assertEquals(1, problems(withTracing("tracing: {service_name: \"a b\"}\n")).size());
  }
}
