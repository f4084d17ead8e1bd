package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownConfigTest {

  private static String with(String shutdown) {
    return TestConfigs.MINIMAL + shutdown;
  }

  @Test
  void withoutTheSectionTheListenerStopsAcceptingAtOnceAndRequestsHave20Seconds() throws ConfigException {
    assertEquals(new ShutdownConfig(Duration.ZERO, Duration.ofSeconds(20)), parse(TestConfigs.MINIMAL).shutdown());
    assertEquals(ShutdownConfig.DEFAULTS, parse(with("shutdown: {}\n")).shutdown());
  }

  @Test
  void everyKeyIsReadAsWritten() throws ConfigException {
    assertEquals(new ShutdownConfig(Duration.ofSeconds(5), Duration.ofMillis(1500)),
        parse(with("shutdown: {delay: 5s, timeout: 1500ms}\n")).shutdown());
  }

  @Test
  void mistakesNameFileLineAndKey() {
    assertEquals(List.of("gatehouse.yaml:6: shutdown.dealy: unknown key 'dealy' (did you mean 'delay'?)"),
        problems(with("shutdown:\n  dealy: 5s\n")));
    assertEquals(List.of("gatehouse.yaml:6: shutdown.timeout: must be more than 0"),
        problems(with("shutdown:\n  timeout: 0s\n")));
    assertEquals(List.of("gatehouse.yaml:5: shutdown.delay: must be at most 1h"),
        problems(with("shutdown: {delay: 2h}\n")));
    assertEquals(1, problems(with("shutdown: {delay: soon}\n")).size());
    assertEquals(1, problems(with("shutdown: 5s\n")).size());
  }
}
