package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link RouteTable#skipped}, which {@code gatehouse explain} reports, agrees with {@link
 * RouteTable#route} for every request: it lists exactly the routes above the one taken (all of them
 * when none is), each with at least one reason, and never the route taken.
 */
class SkippedRoutesPropertiesTest {
  private static final RouteTable TABLE = table();

  private static RouteTable table() {
    try {
      return RouteTable.compile(List.of(
          Routes.path("/health").id("health").line(1).publicPolicy().build(),
          Routes.prefix("/api/admin/").methods("POST", "DELETE").id("admin").line(2).build(),
          Routes.prefix("/api/").host("api.example.com").id("api-host").line(3).build(),
          Routes.regex("/v[0-9]+/items/[a-z]+").id("items").line(4).build(),
          Routes.prefix("/Docs/").id("docs").line(5).ignoringCase().build(),
          Routes.prefix("/api/").methods("GET").id("api").line(6).build()), "gatehouse.yaml");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "POST", "DELETE", "get", "PUT");
  }

  @Provide
  Arbitrary<String> hosts() {
    return Arbitraries.of("api.example.com", "API.example.com:8443", "other.test", null);
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.of("api", "API", "admin", "Admin", "health", "v1", "v22", "items", "abc", "docs", "DOCS", "x");
    return segment.list().ofMinSize(0).ofMaxSize(4).map(s -> "/" + String.join("/", s));
  }

  @Property(tries = 3000)
  void theSkippedRoutesAreExactlyThoseAboveTheOneTaken(@ForAll("methods") String method, @ForAll("hosts") String host,
      @ForAll("paths") String path) {
    RequestTarget target = ((Target.Parsed) TargetParser.parse(path, host)).target();
    List<Skipped> skipped = TABLE.skipped(method, host, target);
    Routing routing = TABLE.route(method, host, target);
    List<String> ids = skipped.stream().map(s -> s.route().id()).toList();
    List<String> all = List.of("health", "admin", "api-host", "items", "docs", "api");
    if (routing instanceof Routing.Found found) {
      assertEquals(all.subList(0, all.indexOf(found.route().id())), ids);
    } else if (routing instanceof Routing.NotFound) {
      assertEquals(all, ids);
    } else {
      // Refused for case: one of the routes above the first that takes it as sent takes it ignoring case.
      assertFalse(skipped.stream().noneMatch(Skipped::matchesIgnoringCase), "some route above takes it when case is ignored");
    }
    skipped.forEach(s -> assertFalse(s.reasons().isEmpty()));
  }
}
