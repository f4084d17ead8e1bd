package gatehouse.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link CredentialCarriers} over random spellings, positions and neighbours. */
class CredentialCarriersPropertiesTest {
  private final CredentialCarriers carriers = new CredentialCarriers(Optional.of("api_key"));

  private static final List<String> ORDINARY = List.of("page=2", "sort=-created", "q=a%20b", "x", "ids[]=1", "keys=3", "tokens=a");

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  /** {@code name} in a spelling some backend folds into it. */
  static String spell(String name, Random random) {
    String[] joins = {"_", "-", ".", "+", "", "%5F", "%2E", "%20"};
    StringBuilder out = new StringBuilder();
    for (char ch : name.toCharArray()) {
      if (ch == '_') out.append(joins[random.nextInt(joins.length)]);
      else if (random.nextInt(5) == 0) out.append('%').append(Integer.toHexString(ch));
      else out.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
    }
    String[] suffixes = {"", "[]", "[1]", "%5B%5D", "[a][b]"};
    return out.append(suffixes[random.nextInt(suffixes.length)]).toString();
  }

  @Property(tries = 2000)
  void ownedParametersNeverSurviveAndOthersKeepTheirOrder(@ForAll("seeds") long seed) {
    Random random = new Random(seed);
    List<String> kept = new ArrayList<>();
    List<String> params = new ArrayList<>();
    String secret = "s3cret" + random.nextInt(1_000_000);
    for (int i = random.nextInt(6); i >= 0; i--) {
      if (random.nextBoolean()) {
        params.add(spell(random.nextBoolean() ? "api_key" : "access_token", random) + "=" + secret);
      } else {
        String p = ORDINARY.get(random.nextInt(ORDINARY.size()));
        params.add(p);
        kept.add(p);
      }
    }
    StringBuilder q = new StringBuilder();
    for (String p : params) q.append(q.length() == 0 ? "" : random.nextBoolean() ? "&" : ";").append(p);
    Optional<String> forwarded = carriers.forwardedQuery(Optional.of(q.toString()));
    assertEquals(kept, forwarded.map(f -> List.of(f.split("[&;]", -1))).orElse(List.of()), q.toString());

    String logged = carriers.redact("/p?" + q);
    assertFalse(logged.contains(secret), logged);
  }

  @Property(tries = 2000)
  void keysAndJwtsAreRedactedWhereverTheyAre(@ForAll("seeds") long seed) {
    Random random = new Random(seed);
    String body = Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "Ab9";
    String secret = random.nextBoolean() ? "gkey_" + body : "eyJhbGciOiJub25lIn0." + body + "." + body;
    String[] places = {"/p/%s/x", "/p/a%sb", "/p?q=%s", "/p?q=x%s&y=1", "/p?%s", "/p?a=1;q=%s", "/p;v=%s", "/p?a=1#%s", "/p/x#q=%s"};
    String place = places[random.nextInt(places.length)];
    String spelled = random.nextBoolean() ? secret : secret.replace("_", "%5F").replace(".", "%2E").replace("J", "%4A");
    String logged = carriers.redact(place.replace("%s", spelled));
    assertFalse(logged.contains(secret) || logged.contains(spelled), logged);
    assertFalse(logged.contains(body), logged);
  }
}
