package gatehouse.verifier;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for the RFC 8941 dictionaries of {@code Signature-Input} and {@code Signature}
 * (RFC 9421 section 4): members whose value is an inner list of strings or a byte sequence, each
 * with parameters. Anything else RFC 8941 allows but these fields never carry from the gateway
 * (decimals, tokens as list items, parameters on list items) is refused. A key that appears twice
 * is refused too: RFC 8941 would keep the last, and a second member smuggled in by a client must
 * not replace the gateway's.
 */
final class StructuredFields {

  /** One dictionary member: an inner list of strings or a byte sequence, and its parameters. */
  record Member(List<String> items, byte[] bytes, Map<String, Object> params) {}

  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message);
    }
  }

  private final String s;
  private int i;

  private StructuredFields(String s) {
    this.s = s;
  }

  /** The dictionary in {@code field} (several field lines joined with {@code ", "}). */
  static Map<String, Member> dictionary(String field) throws ParseException {
    StructuredFields p = new StructuredFields(field);
    Map<String, Member> out = new LinkedHashMap<>();
    p.sp();
    if (p.end()) throw new ParseException("empty dictionary");
    while (true) {
      String key = p.key();
      if (out.containsKey(key)) throw new ParseException("member '" + key + "' appears twice");
      p.expect('=');
      Member m;
      if (p.peek() == '(') {
        m = p.innerList();
      } else if (p.peek() == ':') {
        byte[] b = p.bytes();
        m = new Member(null, b, p.params());
      } else {
        throw new ParseException("member '" + key + "' is neither an inner list nor a byte sequence");
      }
      out.put(key, m);
      p.ows();
      if (p.end()) return out;
      p.expect(',');
      p.ows();
      if (p.end()) throw new ParseException("trailing comma");
    }
  }

  private Member innerList() throws ParseException {
    expect('(');
    List<String> items = new ArrayList<>();
    while (true) {
      sp();
      if (peek() == ')') {
        i++;
        break;
      }
      items.add(string());
      if (peek() == ';') throw new ParseException("parameters on covered components are not supported");
      if (peek() != ' ' && peek() != ')') throw new ParseException("expected ' ' or ')' at " + i);
    }
    return new Member(List.copyOf(items), null, params());
  }

  private Map<String, Object> params() throws ParseException {
    Map<String, Object> out = new LinkedHashMap<>();
    while (peek() == ';') {
      i++;
      sp();
      String k = key();
      if (out.containsKey(k)) throw new ParseException("parameter '" + k + "' appears twice");
      expect('=');
      char c = peek();
      if (c == '"') out.put(k, string());
      else if (c == '-' || (c >= '0' && c <= '9')) out.put(k, integer());
      else throw new ParseException("parameter '" + k + "' must be a string or an integer");
    }
    return out;
  }

  private String key() throws ParseException {
    int start = i;
    if (end() || !(s.charAt(i) >= 'a' && s.charAt(i) <= 'z' || s.charAt(i) == '*')) throw new ParseException("expected a key at " + i);
    while (!end()) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') i++;
      else break;
    }
    return s.substring(start, i);
  }

  private String string() throws ParseException {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      if (end()) throw new ParseException("unterminated string");
      char c = s.charAt(i++);
      if (c == '"') return b.toString();
      if (c == '\\') {
        if (end()) throw new ParseException("unterminated escape");
        char e = s.charAt(i++);
        if (e != '"' && e != '\\') throw new ParseException("bad escape");
        b.append(e);
      } else if (c < 0x20 || c > 0x7e) {
        throw new ParseException("non-printable character in string");
      } else {
        b.append(c);
      }
    }
  }

  private long integer() throws ParseException {
    int start = i;
    if (peek() == '-') i++;
    int digits = 0;
    while (!end() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
      i++;
      digits++;
    }
    if (digits == 0 || digits > 15) throw new ParseException("bad integer");
    return Long.parseLong(s.substring(start, i));
  }

  private byte[] bytes() throws ParseException {
    expect(':');
    int close = s.indexOf(':', i);
    if (close < 0) throw new ParseException("unterminated byte sequence");
    String b64 = s.substring(i, close);
    i = close + 1;
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new ParseException("byte sequence is not base64");
    }
  }

  private void expect(char c) throws ParseException {
    if (peek() != c) throw new ParseException("expected '" + c + "' at " + i);
    i++;
  }

  private char peek() {
    return end() ? '\0' : s.charAt(i);
  }

  private boolean end() {
    return i >= s.length();
  }

  private void sp() {
    while (!end() && s.charAt(i) == ' ') i++;
  }

  private void ows() {
    while (!end() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
  }
}
