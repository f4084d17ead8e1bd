package gatehouse.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the repository outside this module ({@code examples/}, {@code verifier/node/}): tests
 * run in {@code gateway/}, the build may run them from the root, so the path is found upward.
 */
public final class Repository {
  private Repository() {}

  /** The directory {@code relative} in the nearest enclosing directory that has it. */
  public static Path dir(String relative) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve(relative);
      if (Files.isDirectory(candidate)) return candidate;
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
