package gatehouse.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The end-to-end tests' child processes: each is started by a test and stopped by it, by its PID. */
final class ChildProcesses {
  private ChildProcesses() {}

  /** Runs {@code command} in {@code dir} to completion, output to {@code log}; its exit code. Throws IOException when the program is not installed. */
  static int run(List<String> command, Path dir, Path log, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ": " + read(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new AssertionError(e);
    }
    return p.exitValue();
  }

  /**
   * Starts {@code java <the launcher's options> <jvmOptions> -jar gateway/target/gatehouse.jar run
   * --config <config> <arguments>} in {@code config}'s directory, with {@code environment} added to
   * this process's, its output (stdout and stderr, the application log) to {@code log}. Returns at
   * once; the caller stops it by its PID.
   */
  static Process startGateway(Path config, Path log, List<String> jvmOptions, Map<String, String> environment, String... arguments)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(gatehouse.abuse.GatewayChild.java().toString());
    command.addAll(gatehouse.abuse.GatewayChild.javaOptions());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", gatehouse.abuse.GatewayChild.jar().toString(), "run", "--config", config.toString()));
    command.addAll(List.of(arguments));
    ProcessBuilder pb = new ProcessBuilder(command).directory(config.toAbsolutePath().getParent().toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    return pb.start();
  }

  /** Waits until something listens on each of {@code ports}; fails, with {@code log}, if {@code p} exits or {@code timeout} passes first. */
  static void awaitListening(Process p, Path log, Duration timeout, int... ports) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int port : ports) {
      while (!listening(port)) {
        if (!p.isAlive() || System.nanoTime() > deadline) throw new AssertionError("the gateway did not start:\n" + read(log));
        Thread.sleep(50);
      }
    }
  }

  /** Sends {@code signal} (a name such as {@code HUP}) to the process {@code pid} with {@code kill}. */
  static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + signal + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Asks {@code p} to stop (SIGTERM), and kills it if it has not within 10 s. */
  static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Whether something accepts connections on 127.0.0.1:{@code port}. */
  static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The text of {@code log}, empty when there is none yet. */
  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
