package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.RouteConfig;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Issue 17 section 6, as an invariant: a backend that ignores case serves every case variant of a
 * path as one resource, so all variants the gateway lets through must go through routes handled
 * alike. The method may be spelt in lower case too (some routers compare methods ignoring case).
 * Paths are built from the segments of {@link CaseVariantRoutingTest}'s tables, so that most
 * of them touch a route; each variant spells every letter in either case, raw or percent-encoded.
 */
class CaseVariantPropertiesTest {

  @Provide
  Arbitrary<String> tables() {
    return Arbitraries.of(CaseVariantRoutingTest.TABLES.keySet().stream().sorted().toList());
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.of(
        "api", "admin", "users", "health", "status", "docs", "login", "reports", "a", "7", "x", "orders",
        "adminx", "admin-x", "caf%C3%A9");
    return segment.list().ofMinSize(1).ofMaxSize(4).flatMap(segments -> Arbitraries.of("", "/")
        .map(end -> "/" + String.join("/", segments) + end));
  }

  /**
   * {@code path} with each letter spelled by the next choice: 0 lower, 1 upper, 2 and 3 a
   * percent-escape of either case with upper-case hex, 4 one with lower-case hex.
   */
  static String variant(String path, List<Integer> choices) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        out.append(path, i, i + 3);
        i += 2;
        continue;
      }
      if (!Character.isLetter(c) || choices.isEmpty()) {
        out.append(c);
        continue;
      }
      int choice = choices.get(next++ % choices.size());
      char lower = Character.toLowerCase(c);
      char upper = Character.toUpperCase(c);
      switch (choice) {
        case 0 -> out.append(lower);
        case 1 -> out.append(upper);
        case 2 -> out.append(String.format(Locale.ROOT, "%%%02X", (int) lower));
        case 3 -> out.append(String.format(Locale.ROOT, "%%%02X", (int) upper));
        default -> out.append(String.format(Locale.ROOT, "%%%02x", (int) (next % 2 == 0 ? lower : upper)));
      }
    }
    return out.toString();
  }

  @Property(tries = 3000)
  void anyTwoCaseVariantsReachRoutesHandledAlikeOrAreRefused(
      @ForAll("tables") String name,
      @ForAll("paths") String path,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> first,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> second,
      @ForAll boolean post,
      @ForAll boolean firstMethodLower,
      @ForAll boolean secondMethodLower) {
    RouteTable table = CaseVariantRoutingTest.TABLES.get(name);
    String method = post ? "POST" : "GET";
    String host = "Admin.Example.com";
    Routing a = routing(table, spelt(method, firstMethodLower), host, variant(path, first));
    Routing b = routing(table, spelt(method, secondMethodLower), host, variant(path, second));
    Statistics.collect(kind(a), kind(b));
    if (a instanceof Routing.Found x && b instanceof Routing.Found y) {
      RouteConfig ra = x.route();
      RouteConfig rb = y.route();
      assertTrue(ra.handledLike(rb), () -> variant(path, first) + " takes " + ra.id() + " but "
          + variant(path, second) + " takes " + rb.id() + " in table " + name);
    }
    if (a instanceof Routing.Found && b instanceof Routing.NotFound
        || a instanceof Routing.NotFound && b instanceof Routing.Found) {
      throw new AssertionError("one variant of " + path + " is routed, the other is not, in table " + name);
    }
  }

  private static String spelt(String method, boolean lower) {
    return lower ? method.toLowerCase(Locale.ROOT) : method;
  }

  private static Routing routing(RouteTable table, String method, String host, String raw) {
    Target parsed = TargetParser.parse(raw, host);
    if (!(parsed instanceof Target.Parsed p)) throw new AssertionError(raw + " is refused: " + parsed);
    return table.route(method, host, p.target());
  }

  private static String kind(Routing r) {
    return r instanceof Routing.Found ? "found" : r instanceof Routing.NotFound ? "404" : "refused";
  }
}
