package gatehouse.authn.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.KeyStoreConfig;
import java.time.Duration;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** What travels on a store's channel, and what the channel is called. */
class KeyChangePropertiesTest {

  @Property
  void everyChangeReadsBackAsItselfAndItsPayloadIsOnlyTheEventAndTheId(@ForAll("changes") KeyChange change) {
    assertEquals(Optional.of(change), KeyChange.parse(change.payload()));
    assertEquals(("{\"event\":\"" + change.event() + "\",\"id\":\"" + change.id() + "\"}"), change.payload());
  }

  @Property
  void anyOtherTextIsReadAsNothingAndNeverThrows(@ForAll String payload) {
    Optional<KeyChange> read = KeyChange.parse(payload);
    read.ifPresent(c -> assertEquals(c, KeyChange.parse(c.payload()).orElseThrow()));
  }

  @Property
  void aPayloadWithAnUnknownEventOrABadIdIsNotAChange(@ForAll("changes") KeyChange change, @ForAll String noise) {
    assertEquals(Optional.empty(), KeyChange.parse(change.payload().replace(change.event(), change.event() + "d" + noise)));
    assertEquals(Optional.empty(), KeyChange.parse(change.payload().replace(change.id(), change.id() + " ")));
  }

  @Property
  void aChannelFitsPostgresqlsIdentifierLimitAndNamesItsSchema(
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 63) String schema) {
    String channel = KeyChange.channel(store(Optional.of(schema)));
    assertTrue(channel.length() <= 63, channel);
    assertEquals(("gatehouse_api_keys_" + schema).substring(0, Math.min(63, 19 + schema.length())), channel);
    assertEquals("gatehouse_api_keys", KeyChange.channel(store(Optional.empty())));
  }

  @Provide
  Arbitrary<KeyChange> changes() {
    Arbitrary<String> ids = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').numeric().withChars('_')
        .ofMinLength(1).ofMaxLength(40);
    return net.jqwik.api.Combinators.combine(Arbitraries.of(KeyChange.EVENTS), ids).as(KeyChange::new);
  }

  private static KeyStoreConfig store(Optional<String> schema) {
    return new KeyStoreConfig("jdbc:postgresql://127.0.0.1:5432/test", "postgresql://127.0.0.1:5432/test", Optional.empty(),
        Optional.empty(), Optional.empty(), schema, 4, Duration.ofSeconds(2));
  }
}
