package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.HeaderRules;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reserved namespace against the way backend stacks read header names (the README's table in
 * "Identity headers"), as properties over generated names rather than a list of spellings.
 */
class ReservedHeadersTest {
  private static final List<String> PATTERNS =
      List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id", "X-Tenant", "Signature", "Signature-Input", "X-Forwarded-For");
  private static final ReservedHeaders RESERVED = new ReservedHeaders(PATTERNS);
  private static final List<String> NAMES = List.of("X-User-Id", "X-User-Role", "X-User-Email", "X-Owner-Id", "X-Scopes",
      "X-Key-Id", "X-Tenant", "Signature", "Signature-Input", "X-Forwarded-For");

  /** RFC 9110 section 5.6.2: the token characters that are not letters or digits. */
  private static final String PUNCTUATION = "!#$%&'*+-.^_`|~";

  /**
   * How each stack turns a header name into the key its application looks up (README, "Identity
   * headers"). Two names a stack maps to the same key are one header to that application.
   */
  private static final Map<String, UnaryOperator<String>> STACKS = Map.of(
      "CGI, WSGI, Rack, IIS server variables: upper-case, - to _",
      n -> "HTTP_" + n.toUpperCase(Locale.ROOT).replace('-', '_'),
      "PHP $_SERVER: the CGI name, then . and space to _",
      n -> "HTTP_" + n.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_').replace(' ', '_'),
      "mod_fcgid, Apache httpd 2.2: upper-case, every other non-alphanumeric byte to _",
      n -> "HTTP_" + n.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"),
      "Node, Express, Go, servlets, ASP.NET Core: case only",
      n -> n.toLowerCase(Locale.ROOT),
      "Symfony HeaderBag, Laravel: lower-case, _ to -",
      n -> n.toLowerCase(Locale.ROOT).replace('_', '-'));

  @ParameterizedTest
  @ValueSource(strings = {"X-User-Id", "x-user-id", "X_User_Id", "x_USER-id", "X-User-Role", "X-User-Anything", "X-Owner-Id",
      "X_Owner_Id", "x-scopes", "X-Key-Id", "X-SCOPES", "X-User-", "x_user_", "X.User.Id", "X.Owner.Id", "x.scopes", "X~User~Id",
      "X!User!Id", "X+Owner+Id", "X|Key|Id", "X'Scopes'", "X--User__Id", "XUserId", "xuser", "-X-User-Id", "X-Scopes.", "_x_tenant_",
      "signature_", "Signature.Input", "X.Forwarded.For", "X_Forwarded_For"})
  void everySpellingWithTheSkeletonOfAReservedNameIsReserved(String name) {
    assertTrue(RESERVED.matches(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-Use", "X-Owner", "X-Scope", "Authorization", "X-Request-Id", "X-Scopes-2", "X-Scopes2", "Y-User-Id",
      "X-Owner-Ids", "X-Tenants", "Signatures", "X-Forwarded-Fort", "X-Forwarded", "Accept", "-", "_", "~.~"})
  void neighboursOfReservedNamesAreNot(String name) {
    assertFalse(RESERVED.matches(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "X User Id", "X-User-Id ", " X-Scopes", "X[User-Id", "X(User)Id", "Accept:", "A\u0000",
      "X-\u00dcser-Id", "X-\u212Aey-Id", "\u017Figna\u0074ure", "Accept\t", "a/b", "a@b", "a\"b", "a,b", "a;b", "a=b", "a?b", "a{b}",
      "a\\b", "a\u007fb"})
  void aNameThatIsNotATokenIsNeverForwarded(String name) {
    assertTrue(RESERVED.matches(name), name);
  }

  @Property(tries = 3000)
  void aNameThatAnyStackReadsAsAReservedNameIsReserved(@ForAll("namesAndRespellings") String name) {
    for (Map.Entry<String, UnaryOperator<String>> stack : STACKS.entrySet()) {
      for (String reserved : NAMES) {
        if (stack.getValue().apply(name).equals(stack.getValue().apply(reserved))) {
          assertTrue(RESERVED.matches(name), stack.getKey() + " reads " + name + " as " + reserved);
        }
      }
    }
  }

  @Property(tries = 3000)
  void everyCaseAndPunctuationSpellingOfAReservedNameIsReserved(@ForAll("respellings") String name) {
    assertTrue(RESERVED.matches(name), name);
  }

  @Property(tries = 3000)
  void matchingInPlaceAgreesWithTheSkeletonDefinition(@ForAll("names") String name) {
    String skeleton = HeaderRules.skeleton(name);
    boolean expected = !skeleton.isEmpty() && PATTERNS.stream().anyMatch(p -> p.endsWith("*")
        ? skeleton.startsWith(HeaderRules.skeleton(p.substring(0, p.length() - 1)))
        : skeleton.equals(HeaderRules.skeleton(p)));
    assertEquals(expected, RESERVED.matches(name), name);
  }

  @Test
  void aPatternWithoutALetterOrDigitWouldReserveEverythingAndIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReservedHeaders(List.of("-*")));
    assertEquals("reserved header '-*' has no letter or digit", e.getMessage());
  }

  @Test
  void matchingAllocatesNothingWhateverTheName() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<String> names = List.of("X-User-Id", "x_user_role", "X.Owner.Id", "Accept-Encoding", "X-\u00dcser-Id", "X-\u212Aey-Id",
        "Signature-Input", "User-Agent");
    boolean sink = false;
    for (int i = 0; i < 20_000; i++) sink ^= RESERVED.matches(names.get(i % names.size()));
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) sink ^= RESERVED.matches(names.get(i % names.size()));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 4096, allocated + " bytes allocated by 100,000 matches (" + sink + ")");
  }

  /** Half {@link #names}, half {@link #respellings}, so that names some stack folds into a reserved one are common. */
  @Provide
  Arbitrary<String> namesAndRespellings() {
    return Arbitraries.oneOf(names(), respellings());
  }

  /** Token names near the reserved ones: their pieces, respelled, plus unrelated words. */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> piece = Arbitraries.of("x", "X", "user", "USER", "User", "id", "Id", "owner", "scopes", "Scope", "key", "tenant",
        "signature", "input", "forwarded", "for", "role", "email", "accept", "request", "u", "s", "2", "");
    Arbitrary<String> separator = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of("-", "_", "")),
        Tuple.of(2, Arbitraries.strings().withChars(PUNCTUATION).ofMinLength(1).ofMaxLength(2)));
    return Arbitraries.integers().between(1, 5).flatMap(n -> piece.list().ofSize(n).flatMap(pieces ->
        separator.list().ofSize(n + 1).map(seps -> {
          StringBuilder b = new StringBuilder(seps.get(0));
          for (int i = 0; i < n; i++) b.append(pieces.get(i)).append(seps.get(i + 1));
          return b.toString();
        }))).filter(s -> !s.isEmpty());
  }

  /** A reserved name with each letter's case flipped at random and its separators replaced, doubled, dropped or added. */
  @Provide
  Arbitrary<String> respellings() {
    Arbitrary<String> separator = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().withChars(PUNCTUATION).ofLength(1)),
        Tuple.of(1, Arbitraries.strings().withChars(PUNCTUATION).ofMaxLength(3)));
    return Arbitraries.of(NAMES).flatMap(name -> Arbitraries.integers().between(0, Integer.MAX_VALUE).list()
        .ofSize(name.length() + 1).flatMap(coins -> separator.list().ofSize(name.length() + 1).map(seps -> {
          StringBuilder b = new StringBuilder(coins.get(name.length()) % 3 == 0 ? seps.get(0) : "");
          for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '-') {
              b.append(seps.get(i + 1));
            } else {
              b.append(coins.get(i) % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
              if (coins.get(i) % 7 == 0) b.append(seps.get(i + 1));
            }
          }
          return b.toString();
        }))).filter(s -> !s.isEmpty());
  }
}
