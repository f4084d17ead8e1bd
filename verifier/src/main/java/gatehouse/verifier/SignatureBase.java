package gatehouse.verifier;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The RFC 9421 section 2.5 signature base: one line {@code "<component>": <value>} per covered
 * component, in the order covered, then {@code "@signature-params": <inner list and parameters>},
 * joined by {@code \n}, without a trailing newline.
 *
 * <p>One deliberate difference from RFC 9421 section 2.1: a covered header field that is absent
 * has the empty value (the line ends in {@code ": "}) instead of failing. The gateway covers every
 * identity header it may set, set or not, so an identity header added after signing changes the
 * base; the gateway never sends an identity header with an empty value, so "empty" means "absent".
 */
final class SignatureBase {
  private SignatureBase() {}

  static byte[] of(List<String> covered, Function<String, String> value, String signatureParams) {
    StringBuilder b = new StringBuilder(256);
    for (String c : covered) {
      b.append('"').append(c).append("\": ").append(value.apply(c)).append('\n');
    }
    b.append("\"@signature-params\": ").append(signatureParams);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** RFC 9421 section 2.1: every field line's value trimmed, joined by {@code ", "}; absent is empty. */
  static String fieldValue(List<String> lines) {
    if (lines.isEmpty()) return "";
    StringBuilder b = new StringBuilder();
    for (String line : lines) {
      if (b.length() > 0) b.append(", ");
      b.append(line.strip());
    }
    return b.toString();
  }

  /** The RFC 8941 serialisation of the covered list and parameters, as parsed from Signature-Input. */
  static String params(StructuredFields.Member input, List<String> covered) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < covered.size(); i++) {
      if (i > 0) b.append(' ');
      b.append(quote(covered.get(i)));
    }
    b.append(')');
    for (Map.Entry<String, Object> e : input.params().entrySet()) {
      b.append(';').append(e.getKey()).append('=');
      b.append(e.getValue() instanceof String s ? quote(s) : e.getValue().toString());
    }
    return b.toString();
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
