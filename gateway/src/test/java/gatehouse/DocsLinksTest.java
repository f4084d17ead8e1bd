package gatehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/*.md leads somewhere: to a file of the repository, and,
 * with {@code #anchor}, to a heading of that file (anchors as GitHub makes them). Moving a section
 * from one file to another breaks the links to it; this test names each one.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);
  private static final Pattern FENCED = Pattern.compile("(?ms)^ *(```|~~~).*?^ *\\1 *$");

  @Test
  void everyRelativeLinkReachesAFileAndItsHeading() throws Exception {
    Map<String, String> docs = Repository.docs();
    Path root = Repository.dir("examples").getParent();
    Map<String, Set<String>> anchors = new HashMap<>();
    for (Map.Entry<String, String> d : docs.entrySet()) anchors.put(d.getKey(), anchorsOf(d.getValue()));
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, String> d : docs.entrySet()) {
      String text = FENCED.matcher(d.getValue()).replaceAll("");
      Path dir = Path.of(d.getKey()).getParent();
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) continue; // https:, mailto:
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        String name = file.isEmpty() ? d.getKey() : (dir == null ? Path.of(file) : dir.resolve(file)).normalize().toString();
        if (!Files.exists(root.resolve(name))) {
          broken.add(d.getKey() + ": " + target + ": no file " + name);
        } else if (anchor != null && !anchors.getOrDefault(name, Set.of()).contains(anchor)) {
          broken.add(d.getKey() + ": " + target + ": no heading #" + anchor + " in " + name);
        }
      }
    }
    assertEquals(List.of(), broken);
    assertTrue(checked > 20, "links were found: " + checked);
  }

  /** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to '-'. */
  static Set<String> anchorsOf(String markdown) {
    Set<String> anchors = new HashSet<>();
    Matcher h = HEADING.matcher(FENCED.matcher(markdown).replaceAll(""));
    while (h.find()) anchors.add(anchor(h.group(1)));
    return anchors;
  }

  static String anchor(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-');
  }

  @Test
  void anchorsAreMadeAsGitHubMakesThem() {
    assertEquals("revoking-tokens-the-deny-list", anchor("Revoking tokens: the deny-list"));
    assertEquals("gatehouse-keys--the-cli", anchor("`gatehouse keys` — the CLI"));
    assertEquals("authjwt--trusted-token-issuers", anchor("`auth.jwt` — trusted token issuers"));
  }
}
