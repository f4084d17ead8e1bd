package gatehouse.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import gatehouse.secret.Secret;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CredentialCarriersTest {
  private final CredentialCarriers carriers = new CredentialCarriers(Optional.of("api_key"));

  /** Query as sent | query as forwarded ({@code -}: no query at all). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a=1&api_key=K&b=2 | a=1&b=2",
      "api_key=K | -",
      "api_key=K&api_key=L | -",
      "a=1;api_key=K&b=2 | a=1&b=2",
      "a=1&api_key=K;b=2 | a=1;b=2",
      "API_KEY=K&x | x",
      "x&api_key[]=K | x",
      "x&api_key[0]=K | x",
      "x&api_key%5B%5D=K | x",
      "api%5Fkey=K&x=1 | x=1",
      "%61pi_key=K&x=1 | x=1",
      "apiKey=K | -",
      "api-key=K | -",
      "api.key=K | -",
      "api+key=K | -",
      "api_key | -",
      "api_%E2%84%AAey=K | -",
      "api%80key=K&%20api%5Bkey=L | -",
      "x&access_token=T;y=2 | x;y=2",
      "Access-Token=T&ACCESSTOKEN=U&x | x",
      "accessToken=T | -",
      "a%20b=1&q=api_key | a%20b=1&q=api_key",
      "api_keys=1&my_api_key=2&x[api_key]=3 | api_keys=1&my_api_key=2&x[api_key]=3",
      "key=1&token=2&apikeyx=3 | key=1&token=2&apikeyx=3",
      "a=1&&b=2 | a=1&&b=2",
  })
  void ownedParametersAreRemovedInEverySpellingAndTheRestKeepTheirSpellingAndOrder(String sent, String forwarded) {
    assertEquals(forwarded.equals("-") ? Optional.empty() : Optional.of(forwarded), carriers.forwardedQuery(Optional.of(sent)));
  }

  @Test
  void aQueryWithoutCarriersIsReturnedAsItIs() {
    Optional<String> query = Optional.of("page=2&sort=-created&q=a%20b");
    assertSame(query, carriers.forwardedQuery(query));
    String target = "/api/orders/7?page=2&q=a%20b";
    assertSame(target, carriers.redact(target));
  }

  @Test
  void theConfiguredParameterIsOwnedAndTheDefaultNameIsThenOnlyRedacted() {
    CredentialCarriers custom = new CredentialCarriers(Optional.of("Gatehouse-Key"));
    assertEquals(Optional.of("api_key=K"), custom.forwardedQuery(Optional.of("gatehouse_key=K&api_key=K")));
    assertEquals("/a?api_key=[redacted:" + new Secret("K").fingerprint() + "]", custom.redact("/a?api_key=K"));
    assertEquals(Optional.empty(), new CredentialCarriers(Optional.empty()).forwardedQuery(Optional.of("access_token=T")));
  }

  @Test
  void aCredentialBeforeACarrierInOneSegmentIsRedactedToo() {
    String key = "gkey_" + "a".repeat(49);
    String line = carriers.redact("/p/" + key + ";api_key=" + key + "/x");
    assertEquals("/p/[redacted:" + new Secret(key).fingerprint() + "]/x", line);
  }

  @Test
  void anEscapedCredentialBeforeAPlainOneInOneParameterIsRedactedToo() {
    String key = "gkey_" + "b".repeat(49);
    String line = carriers.redact("/p?x=1&note=" + key.replace("_", "%5F") + ";note=" + key + "&y=2");
    assertEquals("/p?x=1&note=[redacted:" + new Secret(key).fingerprint() + "]&y=2", line);
  }

  @Test
  void aLongRunOfJoseStartsIsScannedOnce() {
    String target = "/" + "eyJ".repeat(2000) + "?q=" + "eyJ".repeat(2000);
    assertSame(target, carriers.redact(target));
  }
}
