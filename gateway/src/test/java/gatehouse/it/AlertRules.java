package gatehouse.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus alert rules shipped in {@code monitoring/prometheus-alerts.yaml}, and a tiny
 * evaluator for exactly the expression shapes that file uses; not PromQL. Supported: {@code
 * metric{matchers} OP number} on the later scrape, and {@code increase(metric{matchers}[range]) OP
 * number} as the difference between two scrapes (no extrapolation, the range is not checked).
 * Matchers are {@code label="v"} and {@code label!="v"}; OP is one of {@code == != > < >= <=}.
 * {@code for:} is not simulated. An expression of another shape fails the test, so a rule added
 * to the file must come with evaluator support.
 */
record AlertRules(List<Rule> rules) {
  record Rule(String alert, String expr) {}

  private static final Pattern EXPR = Pattern.compile(
      "(?:increase\\((?<imetric>[a-z_:]+)(?:\\{(?<imatchers>[^}]*)\\})?\\[[0-9]+[smhd]\\]\\)"
          + "|(?<metric>[a-z_:]+)(?:\\{(?<matchers>[^}]*)\\})?)\\s*(?<op>==|!=|>=|<=|>|<)\\s*(?<number>[0-9]+(?:\\.[0-9]+)?)");
  private static final Pattern MATCHER = Pattern.compile("\\s*([a-z_]+)\\s*(!?=)\\s*\"([^\"]*)\"\\s*,?");

  @SuppressWarnings("unchecked")
  static AlertRules load(Path file) throws IOException {
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    List<Rule> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        rules.add(new Rule((String) rule.get("alert"), (String) rule.get("expr")));
      }
    }
    return new AlertRules(List.copyOf(rules));
  }

  Rule rule(String alert) {
    return rules.stream().filter(r -> r.alert().equals(alert)).findFirst().orElseThrow(() -> new AssertionError("no rule " + alert));
  }

  /** The label sets for which {@code rule} fires, given a scrape {@code before} and one {@code after}. */
  static Set<Map<String, String>> firing(Rule rule, Scrape before, Scrape after) {
    Matcher m = EXPR.matcher(rule.expr().trim());
    if (!m.matches()) throw new AssertionError(rule.alert() + ": the evaluator does not support " + rule.expr());
    boolean increase = m.group("imetric") != null;
    String metric = increase ? m.group("imetric") : m.group("metric");
    String matchers = increase ? m.group("imatchers") : m.group("matchers");
    double threshold = Double.parseDouble(m.group("number"));
    Set<Map<String, String>> out = new LinkedHashSet<>();
    for (Scrape.Sample s : after.samples()) {
      if (!s.name().equals(metric) || !matches(s.labels(), matchers)) continue;
      double value = s.value();
      if (increase) {
        List<Scrape.Sample> earlier = before.samples().stream()
            .filter(b -> b.name().equals(metric) && b.labels().equals(s.labels())).toList();
        value -= earlier.isEmpty() ? 0 : earlier.get(0).value();
      }
      if (compare(value, m.group("op"), threshold)) out.add(s.labels());
    }
    return out;
  }

  private static boolean matches(Map<String, String> labels, String matchers) {
    if (matchers == null || matchers.isBlank()) return true;
    Matcher m = MATCHER.matcher(matchers);
    int end = 0;
    while (m.find() && m.start() == end) {
      boolean equal = m.group(3).equals(labels.getOrDefault(m.group(1), ""));
      if (m.group(2).equals("=") != equal) return false;
      end = m.end();
    }
    if (end != matchers.length()) throw new AssertionError("the evaluator does not support the matchers " + matchers);
    return true;
  }

  private static boolean compare(double value, String op, double threshold) {
    switch (op) {
      case "==": return value == threshold;
      case "!=": return value != threshold;
      case ">": return value > threshold;
      case "<": return value < threshold;
      case ">=": return value >= threshold;
      case "<=": return value <= threshold;
      default: throw new AssertionError(op);
    }
  }
}
