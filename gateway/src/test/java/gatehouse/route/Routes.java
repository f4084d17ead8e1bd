package gatehouse.route;

import gatehouse.config.Policy;
import gatehouse.config.RouteConfig;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Builds {@link RouteConfig} values for tests: {@code Routes.prefix("/api/").line(3).build()}. */
final class Routes {
  private String id = "";
  private int line = 1;
  private Optional<String> path = Optional.empty();
  private Optional<String> prefix = Optional.empty();
  private Optional<Pattern> regex = Optional.empty();
  private Set<String> methods = Set.of();
  private Optional<String> host = Optional.empty();
  private Policy policy = Policy.Jwt.any();
  private Optional<String> strip = Optional.empty();
  private Optional<String> add = Optional.empty();
  private String upstream = "orders";
  private boolean caseSensitive = true;

  static Routes path(String path) {
    Routes r = new Routes();
    r.path = Optional.of(path);
    return r;
  }

  static Routes prefix(String prefix) {
    Routes r = new Routes();
    r.prefix = Optional.of(prefix);
    return r;
  }

  static Routes regex(String regex) {
    Routes r = new Routes();
    r.regex = Optional.of(Pattern.compile(regex));
    return r;
  }

  Routes id(String id) {
    this.id = id;
    return this;
  }

  Routes line(int line) {
    this.line = line;
    return this;
  }

  Routes methods(String... methods) {
    this.methods = Set.of(methods);
    return this;
  }

  Routes host(String host) {
    this.host = Optional.of(host);
    return this;
  }

  Routes alsoPrefix(String prefix) {
    this.prefix = Optional.of(prefix);
    return this;
  }

  Routes policy(Policy policy) {
    this.policy = policy;
    return this;
  }

  Routes publicPolicy() {
    return policy(new Policy.Public());
  }

  Routes upstream(String upstream) {
    this.upstream = upstream;
    return this;
  }

  /** {@code case_sensitive: false}. */
  Routes ignoringCase() {
    this.caseSensitive = false;
    return this;
  }

  Routes stripPrefix(String strip) {
    this.strip = Optional.of(strip);
    return this;
  }

  Routes addPrefix(String add) {
    this.add = Optional.of(add);
    return this;
  }

  RouteConfig build() {
    return new RouteConfig(
        id,
        line,
        new RouteConfig.Match(path, prefix, regex, methods, host, caseSensitive),
        upstream,
        policy,
        strip,
        add,
        Optional.empty(),
        1 << 20,
        true);
  }
}
