package gatehouse.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Prometheus text exposition, parsed into samples: {@code name{label="value",...} number}
 * lines; comments skipped. Enough for the gateway's own output (no escaped quotes in its labels).
 */
record Scrape(String text, List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, double value) {}

  Scrape(String text) {
    this(text, parse(text));
  }

  private static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        String inner = line.substring(brace + 1, line.lastIndexOf('}'));
        int i = 0;
        while (i < inner.length()) {
          int eq = inner.indexOf('=', i);
          int open = eq + 1;
          int close = inner.indexOf('"', open + 1);
          labels.put(inner.substring(i, eq), inner.substring(open + 1, close));
          i = close + 1;
          if (i < inner.length() && inner.charAt(i) == ',') i++;
        }
      } else {
        name = line.substring(0, space);
      }
      out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return out;
  }

  /** Samples of {@code name} whose labels include {@code labelPairs} (name, value, name, value...). */
  List<Sample> find(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    outer:
    for (Sample s : samples) {
      if (!s.name().equals(name)) continue;
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) continue outer;
      }
      out.add(s);
    }
    return out;
  }

  /** The one sample of {@code name} with {@code labelPairs}; NaN when there is none. */
  double value(String name, String... labelPairs) {
    List<Sample> found = find(name, labelPairs);
    if (found.size() > 1) throw new AssertionError(found.size() + " samples of " + name + " match");
    return found.isEmpty() ? Double.NaN : found.get(0).value();
  }
}
