package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The per-request leases a reload's retirement rests on: a replaced snapshot stays live while a
 * request holds it, and is reported drained exactly once, after its last request left.
 */
class CurrentSnapshotTest {
  private static Snapshot snapshot(long generation) {
    return new Snapshot(generation, null, null, null, null, null, List::of, java.util.Optional.empty(), null, null, null, null);
  }

  /** 0: a request enters; 1: the oldest open request leaves; 2: the newest leaves; 3: a reload replaces the snapshot. */
  @Property
  void aReplacedSnapshotIsLiveWhileARequestHoldsItAndDrainsOnceAfterItsLast(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 3) Integer> steps) {
    CurrentSnapshot current = new CurrentSnapshot(snapshot(1), Clock.systemUTC());
    List<CurrentSnapshot.Lease> open = new ArrayList<>();
    Map<Long, Integer> drains = new HashMap<>();
    List<Long> drainedAt = new ArrayList<>();
    current.onDrained(() -> drainedAt.add(-1L));
    long generation = 1;
    for (int step : steps) {
      Set<Long> liveBefore = current.live().stream().map(Snapshot::generation).collect(Collectors.toSet());
      switch (step) {
        case 0 -> open.add(current.enter());
        case 1 -> { if (!open.isEmpty()) open.remove(0).close(); }
        case 2 -> { if (!open.isEmpty()) open.remove(open.size() - 1).close(); }
        default -> current.replace(snapshot(++generation));
      }
      Set<Long> held = open.stream().map(l -> l.snapshot().generation()).collect(Collectors.toSet());
      Set<Long> live = current.live().stream().map(Snapshot::generation).collect(Collectors.toSet());
      assertTrue(live.containsAll(held), "every held snapshot is live: held " + held + ", live " + live);
      assertTrue(live.contains(generation), "the current snapshot is live");
      for (long g : liveBefore) if (!live.contains(g)) drains.merge(g, 1, Integer::sum);
      for (long g : live) assertTrue(g == generation || held.contains(g), "a replaced snapshot nobody holds is not live: " + g);
      assertEquals(current.get().generation(), generation);
    }
    drains.forEach((g, n) -> assertEquals(1, n, "generation " + g + " left the live set once"));
    assertEquals(drains.size(), drainedAt.size(), "one drained event per replaced snapshot that drained");
    // Closing a lease twice changes nothing.
    open.forEach(CurrentSnapshot.Lease::close);
    CurrentSnapshot.Lease lease = current.enter();
    lease.close();
    lease.close();
    assertEquals(0, current.inFlight(generation));
  }
}
