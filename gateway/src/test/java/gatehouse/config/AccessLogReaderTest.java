package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogReaderTest {
  @TempDir
  Path dir;

  @Test
  void withoutTheSectionLinesGoToStderrInLogfmtEverySecond() throws Exception {
    assertEquals(new AccessLogConfig(Optional.empty(), AccessLogConfig.Format.LOGFMT, Duration.ofSeconds(1)), parse(MINIMAL).accessLog());
    assertEquals(AccessLogConfig.defaults(), parse("access_log: {target: stderr}\n" + MINIMAL).accessLog());
  }

  @Test
  void aFileIsRelativeToTheConfigsDirectory() throws Exception {
    Files.createDirectory(dir.resolve("logs"));
    GatehouseConfig config = parse("access_log: {target: logs/access.log, format: json, flush_interval: 200ms}\n" + MINIMAL, dir);
    assertEquals(new AccessLogConfig(Optional.of(dir.resolve("logs/access.log")), AccessLogConfig.Format.JSON, Duration.ofMillis(200)),
        config.accessLog());
  }

  @Test
  void errorsNameFileLineAndKey() {
    assertEquals(List.of("gatehouse.yaml:1: access_log.format: expected logfmt or json, got 'text'"),
        problems("access_log: {format: text}\n" + MINIMAL));
    assertEquals(List.of("gatehouse.yaml:1: access_log.flush_interval: must be between 1ms and 10s, got '1m'"),
        problems("access_log: {flush_interval: 1m}\n" + MINIMAL));
    assertEquals(List.of("gatehouse.yaml:1: access_log.target: '/no/such/dir/a.log': the directory does not exist"),
        problems("access_log: {target: /no/such/dir/a.log}\n" + MINIMAL));
    assertEquals(List.of("gatehouse.yaml:2: access_log.targt: unknown key 'targt' (did you mean 'target'?)"),
        problems("access_log:\n  targt: stderr\n" + MINIMAL));
  }
}
