package gatehouse.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes}: the process's resident set (Linux {@code VmRSS}), the
 * name the Prometheus client libraries use. Read at scrape time from {@code /proc/self/status}, a
 * kernel-generated file of about 1 KiB; not registered where that file does not exist.
 */
final class ResidentMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ResidentMemory() {}

  static void bindTo(MeterRegistry registry) {
    if (!Files.isReadable(STATUS)) return;
    Gauge.builder("process_resident_memory_bytes", ResidentMemory::read)
        .description("Resident set size (VmRSS)").baseUnit("bytes").register(registry);
  }

  /** VmRSS in bytes; NaN when the line is missing or unreadable. */
  static double read() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) return parse(line);
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /** {@code "VmRSS:\t  178304 kB"} to bytes. */
  static double parse(String line) {
    String value = line.substring("VmRSS:".length()).trim();
    if (!value.endsWith(" kB")) return Double.NaN;
    return Long.parseLong(value.substring(0, value.length() - 3).trim()) * 1024.0;
  }
}
