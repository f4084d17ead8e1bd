package gatehouse.abuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the kernel says about the gateway's process: resident memory and open descriptors, from /proc. */
public final class Probe {
  /** One reading: VmRSS and VmHWM in KiB, open descriptors. */
  public record Sample(long rssKib, long hwmKib, long fds) {
    static final Sample NONE = new Sample(0, 0, 0);

    Sample max(Sample other) {
      return new Sample(Math.max(rssKib, other.rssKib), Math.max(hwmKib, other.hwmKib), Math.max(fds, other.fds));
    }
  }

  private final long pid;

  public Probe(long pid) {
    this.pid = pid;
  }

  /**
   * The process's TCP connections whose peer port is in {@code remotePorts} (its connections to
   * the upstreams, which a pool may keep open after an attack): its socket inodes matched against
   * /proc/PID/net/tcp and tcp6. 0 once the process is gone.
   */
  long connectionsTo(java.util.Set<Integer> remotePorts) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      java.util.Set<String> inodes = new java.util.HashSet<>();
      try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
        for (Path fd : (Iterable<Path>) entries::iterator) {
          try {
            String link = Files.readSymbolicLink(fd).toString();
            if (link.startsWith("socket:[")) inodes.add(link.substring(8, link.length() - 1));
          } catch (IOException closedMeanwhile) {
            // gone between the listing and the read
          }
        }
      }
      long n = 0;
      for (String table : new String[] {"net/tcp", "net/tcp6"}) {
        List<String> lines = Files.readAllLines(proc.resolve(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
          if (remotePorts.contains(remotePort) && inodes.contains(f[9])) n++;
        }
      }
      return n;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/" + pid, e);
    }
  }

  /** The process's user and system CPU time so far, in seconds (/proc/PID/stat fields 14 and 15); 0 once it is gone. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/" + pid, e);
    }
  }

  /** A reading now; {@link Sample#NONE} once the process is gone. */
  public Sample sample() {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      long rss = 0;
      long hwm = 0;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) rss = kib(line);
        if (line.startsWith("VmHWM:")) hwm = kib(line);
      }
      long fds;
      try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
        fds = entries.count();
      }
      return new Sample(rss, hwm, fds);
    } catch (NoSuchFileException e) {
      return Sample.NONE;
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/" + pid, e);
    }
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** A thread that samples every {@code periodMillis} and keeps the highest of each reading. */
  static final class Peak implements AutoCloseable {
    private final Thread thread;
    private volatile Sample peak;
    private volatile boolean running = true;

    Peak(Probe probe, long periodMillis) {
      peak = probe.sample();
      thread = new Thread(() -> {
        while (running) {
          peak = peak.max(probe.sample());
          try {
            Thread.sleep(periodMillis);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "abuse-probe");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops sampling; the highest readings seen. */
    Sample stop() throws InterruptedException {
      running = false;
      thread.join();
      return peak;
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
