package gatehouse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Which connections a new one at the cap may evict ({@link AcceptGuard#oldestIdle}). */
class AcceptGuardEvictionTest {
  /**
   * The candidates are exactly the {@code n} idle longest, longest first, and never a connection
   * with a request in flight or one already chosen for eviction (a burst of accepts would else be
   * offered the same connections, still closing, again and again); whatever the clock's origin
   * (nanoTime may be negative or wrap).
   */
  @Property
  void theCandidatesAreTheLongestIdleAndNeverABusyOrAlreadyChosenConnection(
      @ForAll long origin,
      @ForAll @Size(max = 200) List<@LongRange(min = -2, max = 1_000_000_000_000L) Long> offsets,
      @ForAll @IntRange(min = 1, max = 40) int n) {
    List<IdleConnections.Slot> slots = new ArrayList<>();
    List<Long> idleOffsets = new ArrayList<>();  // as stored: idle() keeps clear of the busy mark
    for (long offset : offsets) {
      IdleConnections.Slot slot = new IdleConnections.Slot(null, 0);
      if (offset == -1) {
        slot.busy();
      } else if (offset == -2) {
        slot.idle(origin);
        slot.pick();
      } else {
        slot.idle(origin + offset);
        idleOffsets.add(slot.idleSince - origin);
      }
      slots.add(slot);
    }
    List<AcceptGuard.Candidate> chosen = AcceptGuard.oldestIdle(slots, n);

    idleOffsets.sort(null);
    List<Long> expected = idleOffsets.subList(0, Math.min(n, idleOffsets.size()));
    List<Long> got = chosen.stream().map(c -> c.seen() - origin).toList();
    assertEquals(expected, got, "the idle longest, longest first");
    for (AcceptGuard.Candidate c : chosen) assertEquals(c.seen(), c.slot().idleSince, "a candidate is an idle slot as read");
  }
}
