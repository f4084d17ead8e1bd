package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

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

  /**
   * The project's documentation: README.md, then every {@code docs/*.md} by name, each keyed by its
   * path from the repository root ({@code docs/operations.md}).
   */
  public static Map<String, String> docs() {
    Path root = dir("examples").getParent();
    Map<String, String> docs = new LinkedHashMap<>();
    try {
      docs.put("README.md", Files.readString(root.resolve("README.md")));
      Path dir = root.resolve("docs");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".md")).sorted().toList()) {
            docs.put("docs/" + f.getFileName(), Files.readString(f));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** All of {@link #docs()} as one text, for checks that something is documented somewhere. */
  public static String docsText() {
    return String.join("\n", docs().values());
  }
}
