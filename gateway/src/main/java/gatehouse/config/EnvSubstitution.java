package gatehouse.config;

import java.util.function.Function;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in scalar values; {@code $${} writes a literal
 * {@code ${}. Applied once to a value's text: substituted text is never scanned again, nor
 * parsed as YAML. As in the shell, {@code :-} uses the default when the variable is unset or empty.
 */
final class EnvSubstitution {
  private EnvSubstitution() {}

  sealed interface Result {}

  /** {@code fromEnv}: at least one variable or default contributed to {@code text}. */
  record Expanded(String text, boolean fromEnv) implements Result {}

  /** Message names the variable, never its value. */
  record Failed(String message) implements Result {}

  static Result expand(String text, Function<String, String> env) {
    if (!text.contains("${")) return new Expanded(text, false);
    StringBuilder out = new StringBuilder();
    boolean fromEnv = false;
    int i = 0;
    while (i < text.length()) {
      int start = text.indexOf("${", i);
      if (start < 0) {
        out.append(text, i, text.length());
        break;
      }
      if (start > 0 && text.charAt(start - 1) == '$') {
        out.append(text, i, start - 1).append("${");
        i = start + 2;
        continue;
      }
      out.append(text, i, start);
      int end = text.indexOf('}', start);
      if (end < 0) return new Failed("unterminated '${' (write '$${' for a literal '${')");
      String expr = text.substring(start + 2, end);
      int colon = expr.indexOf(":-");
      String name = colon < 0 ? expr : expr.substring(0, colon);
      if (!isName(name)) {
        return new Failed("invalid variable reference '${" + expr + "}' (expected ${NAME} or ${NAME:-default})");
      }
      String value = env.apply(name);
      if (colon >= 0 && (value == null || value.isEmpty())) value = expr.substring(colon + 2);
      if (value == null) {
        return new Failed("environment variable " + name + " is not set");
      }
      out.append(value);
      fromEnv = true;
      i = end + 1;
    }
    return new Expanded(out.toString(), fromEnv);
  }

  private static boolean isName(String s) {
    if (s.isEmpty() || Character.isDigit(s.charAt(0))) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
