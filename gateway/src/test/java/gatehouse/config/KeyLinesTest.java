package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KeyLinesTest {
  private static final String BODY = String.join("\n",
      "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
      "listen:",
      "  host: 127.0.0.1",
      "routes:",
      "  - match: {prefix: /}",
      "    upstream: app",
      "    policy: public",
      "");

  @Test
  void aKeyIsFoundAtItsLineAndADefaultAtItsSection() throws Exception {
    KeyLines lines = ConfigLoader.parse("g.yaml", BODY, Path.of("."), name -> null).lines();
    assertEquals(3, lines.of("listen.host"));
    assertEquals(2, lines.of("listen.port"), "not written: its section's line");
    assertEquals(6, lines.of("routes[0].upstream"));
    assertEquals(7, lines.of("routes[0].policy.roles"), "under a scalar: the nearest written key");
    assertEquals(1, lines.of("admin.port"), "nothing written: the file's first line");
  }

  @Test
  void whereKeysAreWrittenTakesNoPartInTheValueOfWhatTheyConfigure() throws Exception {
    GatehouseConfig before = ConfigLoader.parse("g.yaml", BODY, Path.of("."), name -> null);
    GatehouseConfig after = ConfigLoader.parse("g.yaml", "# a comment moves every line down\n\n" + BODY, Path.of("."), name -> null);
    assertEquals(5, after.lines().of("listen.host"));
    assertEquals(before.lines(), after.lines());
    assertEquals(before.lines().hashCode(), after.lines().hashCode());
    // Routes keep their own line (the route table reports shadowing with it); the rest is equal.
    assertEquals(before.listen(), after.listen());
    assertEquals(before.upstreams(), after.upstreams());
    assertEquals(before.auth(), after.auth());
  }
}
