package gatehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.testing.ReadmeBlocks;
import gatehouse.testing.Repository;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's code blocks follow the rule of docs/development.md (*Code blocks in the documentation*),
 * and its {@code yaml} and {@code json} blocks are what they claim: configs the real loader
 * accepts and checks as {@code gatehouse validate} does, and JSON. The {@code sh}, {@code java}
 * and {@code js} blocks run in {@code it/ReadmeIT}.
 */
class ReadmeTest {
  static final ReadmeBlocks.Parsed README = ReadmeBlocks.readme();

  @Test
  void everyCodeBlockSaysWhatItIsAndEveryBlockNotRunSaysWhy() {
    if (!README.problems().isEmpty()) fail(String.join("\n", README.problems()));
    assertTrue(README.blocks().size() > 10, "README.md was found and has its code blocks: " + README.blocks().size());
  }

  @Test
  void theRuleNamesTheLineAndTheReasonOfEachBlockThatBreaksIt() {
    String md = String.join("\n",
        "# T", "```", "out", "```", "```sh not-run:", "x", "```", "```python", "y", "```", "```yaml fragment", "a: 1", "```",
        "- item", "  ```text", "  z", "  ```", "```sh not-run: installs packages", "apt-get install x", "```", "```js", "open");
    ReadmeBlocks.Parsed p = ReadmeBlocks.parse("R.md", md);
    assertEquals(List.of(
        "R.md:2: a code block without an info string; write ```text for output, formats and fragments, or ```sh, ```yaml, ```json,"
            + " ```java or ```js to have it run (docs/development.md, Code blocks in the documentation)",
        "R.md:5: 'not-run:' needs a reason after it, e.g. ```sh not-run: installs packages (docs/development.md, Code blocks in the documentation)",
        "R.md:8: unknown kind 'python'; the kinds are text, sh, yaml, json, java and js (docs/development.md, Code blocks in the documentation)",
        "R.md:11: after 'yaml' only 'not-run: <reason>' may follow, found 'fragment' (docs/development.md, Code blocks in the documentation)",
        "R.md:21: the code block is never closed (no matching ``` below it)"), p.problems());
    ReadmeBlocks.Block indented = p.blocks().get(4);
    assertEquals("z\n", indented.body(), "a fence's indentation is not part of the block");
    assertEquals(List.of(), p.runnable("sh"), "a block that says not-run is not run");
    assertEquals("installs packages", p.blocks().get(5).notRunReason().orElseThrow());
  }

  /** A {@code yaml} block is a whole config file, as if saved in {@code examples/}, loaded with no environment variable set. */
  @TestFactory
  Stream<DynamicTest> yamlBlocksAreConfigsTheLoaderAcceptsAndValidateWouldPass() {
    return README.runnable("yaml").stream().map(b -> DynamicTest.dynamicTest(b.where() + " yaml", () -> {
      try {
        // Blank lines in front, so the loader's line numbers are README.md's.
        String yaml = "\n".repeat(b.line()) + b.body();
        GatehouseConfig config = ConfigLoader.parse(b.file(), yaml, Repository.dir("examples"), name -> null);
        Gatehouse.check(config);
      } catch (ConfigException e) {
        fail(b.where() + ": the yaml block does not load: " + e.getMessage()
            + "\nA yaml block is a whole config file, loaded as if saved in examples/ with no environment variable set;"
            + " show a part of one as ```yaml not-run: <what it is a part of>.");
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> jsonBlocksAreJson() {
    return README.runnable("json").stream().map(b -> DynamicTest.dynamicTest(b.where() + " json", () -> {
      try {
        Json.decodeValue(b.body());
      } catch (DecodeException e) {
        fail(b.where() + ": the json block is not JSON: " + e.getMessage());
      }
    }));
  }
}
