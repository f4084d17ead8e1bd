package gatehouse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {
  @Test
  void theDefaultLeavesUpstreamAndReservedDescriptorsFree() {
    // 65536 descriptors, two upstreams of 64 on 4 event loops: 65536 - 512 - 128.
    assertEquals(64_896, ConnectionBudget.defaultMax(OptionalLong.of(65_536), 512));
  }

  @Test
  void aSmallLimitStillServesAnEighthOfItsDescriptorsToClients() {
    assertEquals(32, ConnectionBudget.defaultMax(OptionalLong.of(256), 128));
    assertEquals(1, ConnectionBudget.defaultMax(OptionalLong.of(4), 1000));
  }

  @Test
  void withoutADescriptorLimitTheDefaultIsFixed() {
    assertEquals(16_384, ConnectionBudget.defaultMax(OptionalLong.empty(), 512));
  }

  @Test
  void aHugeLimitIsCappedAtIntegerRange() {
    assertEquals(Integer.MAX_VALUE, ConnectionBudget.defaultMax(OptionalLong.of(Long.MAX_VALUE), 0));
  }
}
