package gatehouse.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of README.md and docs/*.md, and the rule they follow (README "Development", *Code blocks
 * in this README*): every block opens with an info string whose first word is its kind.
 * <ul>
 *   <li>{@code sh}, {@code yaml}, {@code json}, {@code java}, {@code js}: runnable, and run by
 *       {@code ReadmeTest} and {@code it/ReadmeIT};</li>
 *   <li>one of those followed by {@code not-run: <reason>}: highlighted, not run, the reason
 *       required;</li>
 *   <li>{@code text}: output, formats and fragments, never run.</li>
 * </ul>
 */
public final class ReadmeBlocks {
  public static final Set<String> RUNNABLE = Set.of("sh", "yaml", "json", "java", "js");
  public static final String NOT_RUN = "not-run:";
  private static final Pattern FENCE = Pattern.compile("^( *)(`{3,}|~{3,})(.*)$");

  private ReadmeBlocks() {}

  /**
   * One fenced block.
   *
   * @param line the 1-based line of its opening fence
   * @param info the info string, trimmed
   * @param body its lines, the fence's indentation removed, joined with {@code \n} and ending in one
   */
  public record Block(String file, int line, String info, String body) {
    /** The first word of the info string; empty when there is none. */
    public String kind() {
      int space = info.indexOf(' ');
      return space < 0 ? info : info.substring(0, space);
    }

    /** The reason after {@code not-run:}, when the block says it is not run. */
    public Optional<String> notRunReason() {
      int at = info.indexOf(NOT_RUN);
      return at < 0 ? Optional.empty() : Optional.of(info.substring(at + NOT_RUN.length()).trim());
    }

    /** Whether a test runs this block. */
    public boolean runs() {
      return RUNNABLE.contains(kind()) && notRunReason().isEmpty();
    }

    /** {@code README.md:123}, for messages. */
    public String where() {
      return file + ":" + line;
    }
  }

  /** The parse of one file: its blocks and what breaks the rule, each as {@code file:line: why}. */
  public record Parsed(List<Block> blocks, List<String> problems) {
    public List<Block> runnable(String kind) {
      return blocks.stream().filter(b -> b.runs() && b.kind().equals(kind)).toList();
    }
  }

  /**
   * The fenced blocks of README.md and of every {@code docs/*.md}, in that order (docs by name),
   * each block named by its file ({@code docs/operations.md:12}).
   */
  public static Parsed readme() {
    List<Block> blocks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> doc : Repository.docs().entrySet()) {
      Parsed p = parse(doc.getKey(), doc.getValue());
      blocks.addAll(p.blocks());
      problems.addAll(p.problems());
    }
    return new Parsed(List.copyOf(blocks), List.copyOf(problems));
  }

  public static Parsed parse(String file, String markdown) {
    String[] lines = markdown.split("\n", -1);
    List<Block> blocks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      Matcher open = FENCE.matcher(lines[i]);
      if (!open.matches()) continue;
      String indent = open.group(1);
      String fence = open.group(2);
      String info = open.group(3).trim();
      int start = i + 1;
      StringBuilder body = new StringBuilder();
      int close = -1;
      for (int j = i + 1; j < lines.length; j++) {
        Matcher m = FENCE.matcher(lines[j]);
        if (m.matches() && m.group(2).charAt(0) == fence.charAt(0) && m.group(2).length() >= fence.length() && m.group(3).isBlank()) {
          close = j;
          break;
        }
        String l = lines[j];
        int cut = 0;
        while (cut < indent.length() && cut < l.length() && l.charAt(cut) == ' ') cut++;
        body.append(l.substring(cut)).append('\n');
      }
      if (close < 0) {
        problems.add(file + ":" + start + ": the code block is never closed (no matching " + fence + " below it)");
        break;
      }
      Block b = new Block(file, start, info, body.toString());
      blocks.add(b);
      problem(b).ifPresent(problems::add);
      i = close;
    }
    return new Parsed(List.copyOf(blocks), List.copyOf(problems));
  }

  private static Optional<String> problem(Block b) {
    String how = " (docs/development.md, Code blocks in the documentation)";
    if (b.info().isEmpty()) {
      return Optional.of(b.where() + ": a code block without an info string; write ```text for output, formats and fragments, or "
          + "```sh, ```yaml, ```json, ```java or ```js to have it run" + how);
    }
    if (b.kind().equals("text")) return Optional.empty();
    if (!RUNNABLE.contains(b.kind())) {
      return Optional.of(b.where() + ": unknown kind '" + b.kind() + "'; the kinds are text, sh, yaml, json, java and js" + how);
    }
    if (b.info().contains(NOT_RUN) && b.notRunReason().orElse("").isEmpty()) {
      return Optional.of(b.where() + ": '" + NOT_RUN + "' needs a reason after it, e.g. ```sh not-run: installs packages" + how);
    }
    String rest = b.info().substring(b.kind().length()).trim();
    if (!rest.isEmpty() && !rest.startsWith(NOT_RUN)) {
      return Optional.of(b.where() + ": after '" + b.kind() + "' only '" + NOT_RUN + " <reason>' may follow, found '" + rest + "'" + how);
    }
    return Optional.empty();
  }
}
