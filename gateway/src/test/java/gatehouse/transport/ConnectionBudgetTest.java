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

  @Test
  void theHeapBoundLeavesRoomForAnUnfinishedHeadOfEveryConnection() {
    // The launcher's -Xmx160m -Xmn32m: a 128 MiB old generation, 32 MiB kept, 8 KiB + 2 x 16 KiB a connection.
    assertEquals(2_457, ConnectionBudget.byHeap(128L << 20, 16_384));
    // Smaller heads, more connections: 8 KiB + 2 x 8 KiB.
    assertEquals(4_096, ConnectionBudget.byHeap(128L << 20, 8_192));
    // A large heap is bound by its descriptors instead.
    assertEquals(262_144, ConnectionBudget.byHeap((10L << 30) + (32L << 20), 16_384));
  }

  @Test
  void aTinyHeapStillServesSomeClients() {
    assertEquals(256, ConnectionBudget.byHeap(16L << 20, 16_384));
  }

  @Test
  void theDefaultIsTheFewerOfTheTwoBounds() {
    long heapBound = ConnectionBudget.byHeap(ConnectionBudget.oldGenerationMax(), 16_384);
    long descriptorBound = ConnectionBudget.defaultMax(ConnectionBudget.descriptorLimit(), 0);
    assertEquals(Math.min(heapBound, descriptorBound), ConnectionBudget.defaultMax(0, 16_384));
  }
}
