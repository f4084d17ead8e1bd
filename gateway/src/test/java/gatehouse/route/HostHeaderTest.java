package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link HostHeader}: the Host values a request may carry, generated from RFC 3986's grammar. */
class HostHeaderTest {

  /** Names of 1 to 4 labels of letters, digits, '-', '_', '~', the last starting with a letter. */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> label = Arbitraries.strings().withChars("abcXYZ019-_~").ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> last = Combinators.combine(Arbitraries.strings().withChars("abcdXYZ").ofLength(1), label.injectNull(0.5))
        .as((first, rest) -> rest == null ? first : first + rest);
    return Combinators.combine(label.list().ofMaxSize(3), last, Arbitraries.of("", ".")).as((labels, tld, dot) ->
        (labels.isEmpty() ? "" : String.join(".", labels) + ".") + tld + dot);
  }

  /** IPv4 in dotted decimal, and IPv6 in Java's full form and in its shortest, both bracketed. */
  @Provide
  Arbitrary<String> addresses() {
    Arbitrary<String> v4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
        .map(o -> o.get(0) + "." + o.get(1) + "." + o.get(2) + "." + o.get(3));
    Arbitrary<String> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16).map(HostHeaderTest::ipv6);
    return Arbitraries.oneOf(v4, v6, v6.map(HostHeaderTest::compressed), Arbitraries.of("[::]", "[::1]", "[1::]", "[::ffff:10.0.0.1]"));
  }

  @Property(tries = 3000)
  void everyGrammaticalHostWithOrWithoutAPortIsValid(@ForAll("names") String name, @ForAll("addresses") String address,
      @ForAll @IntRange(min = 1, max = 65535) int port) {
    for (String host : new String[] {name, address}) {
      assertTrue(HostHeader.isValid(host), host);
      assertTrue(HostHeader.isValid(host + ":" + port), host + ":" + port);
    }
  }

  /**
   * Any one character a host name never has, put anywhere in a valid one, makes it invalid: list
   * separators, Forwarded's separators, userinfo, path, query, fragment, whitespace, controls,
   * percent-encoding, quotes, non-ASCII (including look-alikes of '.' and ':').
   */
  @Property(tries = 5000)
  void aCharacterNoHostNameHasMakesItInvalid(@ForAll("names") String name, @ForAll @IntRange(min = 0, max = 100) int at,
      @ForAll("foreign") char c) {
    int k = at % (name.length() + 1);
    String spoiled = name.substring(0, k) + c + name.substring(k);
    assertFalse(HostHeader.isValid(spoiled), spoiled);
    assertFalse(HostHeader.isValid(spoiled + ":80"), spoiled + ":80");
  }

  @Provide
  Arbitrary<Character> foreign() {
    return Arbitraries.oneOf(
        Arbitraries.of(',', ';', '=', '@', '/', '?', '#', ' ', '\t', '%', '"', '\'', '\\', '!', '$', '&', '(', ')', '*', '+',
            '<', '>', '^', '`', '{', '|', '}', '\u0000', '\r', '\n', '\u007f', '\u3002', '\uff0e', '\uff1a', '\u00e9', '\u0130'),
        Arbitraries.chars().range('\u0080', '\uffff'),
        Arbitraries.chars().range('\u0000', '\u001f'));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "gw.example|true", "gw.example.|true", "localhost|true", "1.2.3.example|true", "example.123a|true",
      "'a.example, b.example'|false", "a.example,b.example|false", "'a b'|false", "''|false", "' '|false", ".|true",
      ":80|false", "gw.example:|false", "gw.example:0|false", "gw.example:65535|true", "gw.example:65536|false",
      "gw.example:00080|true", "gw.example:000080|false", "gw.example:80:80|false", "user@gw.example|false",
      "127.0.0.1|true", "127.0.0.1.|false", "127.1|false", "0127.0.0.1|false", "256.0.0.1|false", "1.2.3.4.5|false",
      "0x7f.0.0.1|false", "gw.1|false", "1.2.3|false", "[::1]|true", "[::1]:443|true", "::1|false", "[::1|false",
      "[::1]x|false", "[::1]:|false", "[1::2::3]|false", "[1:2:3:4:5:6:7:8]|true", "[1:2:3:4:5:6:7:8:9]|false",
      "[1:2:3:4:5:6:7::8]|false", "[1:2:3:4:5:6:1.2.3.4]|true", "[::1.2.3.4]|true", "[::1.2.3]|false",
      "[12345::]|false", "[:1::]|false", "[1:]|false", "[fe80::1%25eth0]|false", "[v1.x]|false", "[]|false",
      "[gw.example]|false", "[::١]|false"})
  void table(String host, boolean valid) {
    assertEquals(valid, HostHeader.isValid(host), host);
  }

  private static String ipv6(byte[] bytes) {
    try {
      return "[" + InetAddress.getByAddress(bytes).getHostAddress() + "]";
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The longest run of ":0:" groups in Java's full form replaced by "::". */
  private static String compressed(String bracketed) {
    String full = ":" + bracketed.substring(1, bracketed.length() - 1) + ":";
    for (int zeros = 8; zeros >= 2; zeros--) {
      String run = ":" + "0:".repeat(zeros);
      int at = full.indexOf(run);
      if (at >= 0) {
        String out = full.substring(0, at) + "::" + full.substring(at + run.length());
        out = out.startsWith(":::") ? out.substring(1) : out.startsWith("::") ? out : out.substring(1);
        out = out.endsWith(":::") ? out.substring(0, out.length() - 1) : out.endsWith("::") ? out : out.substring(0, out.length() - 1);
        return "[" + out + "]";
      }
    }
    return bracketed;
  }
}
