package gatehouse.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 upstream written on a raw socket, for answers a conforming server would not send: an
 * interim 102, a body after a HEAD response, a response without framing, an answer before the
 * request body, a {@code Connection: close} that does not close. It reads each request head and its
 * {@code Content-Length} body on a kept-alive connection, records it with the number of the
 * connection it came on (1, 2, ... in order of accept), and answers with the {@link Answer} that
 * {@code script} gives for it. By default ({@link Answer#echoTarget()}) that is 200 with the request
 * target as body, so a response that reaches the wrong client shows at once.
 *
 * <p>Requests with {@code Transfer-Encoding} are not supported: the connection is closed.
 */
public final class ScriptedUpstream implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

  private final Vertx vertx;
  private final NetServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> waiters = new CopyOnWriteArrayList<>();
  private volatile Function<Seen, Answer> script = seen -> Answer.echoTarget();

  /** One request head as it arrived. */
  public record Seen(int connection, String method, String target, List<Map.Entry<String, String>> headers) {
    public Optional<String> header(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }
  }

  /**
   * What the upstream does for one request: {@code steps} in order, started when the head arrives
   * ({@link #atHead}) or once the body is read ({@link #afterBody}). The connection goes on to read
   * the next request once this one's body is read, unless a step closed it or began a tunnel.
   */
  public record Answer(boolean atHead, List<Step> steps) {
    public Answer {
      steps = List.copyOf(steps);
    }

    public static Answer afterBody(Step... steps) {
      return new Answer(false, List.of(steps));
    }

    public static Answer atHead(Step... steps) {
      return new Answer(true, List.of(steps));
    }

    /** 200 with {@code Content-Length} and the request target as body, after the request body. */
    public static Answer echoTarget() {
      return new Answer(false, List.of(new Step.EchoTarget()));
    }
  }

  /** One thing the upstream does on the connection. */
  public sealed interface Step {
    /** Writes {@code text} (ISO-8859-1). */
    record Write(String text) implements Step {}

    /** Waits before the next step. */
    record Pause(Duration duration) implements Step {}

    /** Closes the connection. */
    record Close() implements Step {}

    /** Stops parsing HTTP: every byte that arrives from now on is sent back. */
    record Tunnel() implements Step {}

    /** Stops reading requests, as a server about to close does: every byte from now on is dropped. */
    record Deaf() implements Step {}

    /** 200 with {@code Content-Length} and the request target as body. */
    record EchoTarget() implements Step {}
  }

  public static Step write(String text) {
    return new Step.Write(text);
  }

  public static Step pause(long millis) {
    return new Step.Pause(Duration.ofMillis(millis));
  }

  public static Step hangUp() {
    return new Step.Close();
  }

  public static Step tunnel() {
    return new Step.Tunnel();
  }

  public static Step deaf() {
    return new Step.Deaf();
  }

  public static Step echoTarget() {
    return new Step.EchoTarget();
  }

  private ScriptedUpstream(Vertx vertx) {
    this.vertx = vertx;
    this.server =
        vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
            .connectHandler(socket -> new Connection(connections.incrementAndGet(), socket));
  }

  /** Starts on 127.0.0.1 and a free port; call from a test thread. */
  public static ScriptedUpstream start(Vertx vertx) {
    ScriptedUpstream upstream = new ScriptedUpstream(vertx);
    await(upstream.server.listen());
    return upstream;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** How to answer every following request, chosen per request. */
  public void script(Function<Seen, Answer> script) {
    this.script = Objects.requireNonNull(script);
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Every request head seen so far, oldest first. */
  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The one request head seen with {@code target}; fails the test if there is not exactly one. */
  public Seen seen(String target) {
    List<Seen> matching = seen.stream().filter(s -> s.target().equals(target)).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one request for " + target + " at the upstream, saw " + seen());
    }
    return matching.get(0);
  }

  /** Waits up to 10 s until a request for {@code target} arrived; fails the test if none did. */
  public Seen awaitSeen(String target) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      CompletableFuture<Void> next = new CompletableFuture<>();
      waiters.add(next);
      if (seen.stream().anyMatch(s -> s.target().equals(target))) {
        waiters.remove(next);
        return seen(target);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no request for " + target + " at the upstream; saw " + seen());
      }
      try {
        next.get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        waiters.remove(next);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    await(server.close());
  }

  private void record(Seen s) {
    seen.add(s);
    for (CompletableFuture<Void> waiter : waiters) {
      waiter.complete(null);
      waiters.remove(waiter);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** One accepted connection; every callback runs on its event loop. */
  private final class Connection {
    private final int number;
    private final NetSocket socket;
    private Buffer pending = Buffer.buffer();
    private long bodyLeft;
    private boolean tunnel;
    private boolean deaf;
    private boolean closed;
    /** The answer waiting for the end of the current body, with its request's target. */
    private Answer waiting;
    private String waitingTarget;

    Connection(int number, NetSocket socket) {
      this.number = number;
      this.socket = socket;
      socket.handler(this::received);
      socket.closeHandler(v -> closed = true);
      socket.exceptionHandler(t -> socket.close());
    }

    private void received(Buffer data) {
      if (deaf) {
        return;
      }
      if (tunnel) {
        socket.write(data);
        return;
      }
      pending.appendBuffer(data);
      parse();
    }

    private void parse() {
      while (!closed && !tunnel) {
        if (bodyLeft > 0) {
          long take = Math.min(bodyLeft, pending.length());
          bodyLeft -= take;
          pending = pending.getBuffer((int) take, pending.length());
          if (bodyLeft > 0) {
            return;
          }
          if (waiting != null) {
            Answer answer = waiting;
            waiting = null;
            run(answer.steps(), 0, waitingTarget);
          }
          continue;
        }
        int end = indexOf(pending, END_OF_HEAD);
        if (end < 0) {
          return;
        }
        String head = pending.getString(0, end, StandardCharsets.ISO_8859_1.name());
        pending = pending.getBuffer(end + END_OF_HEAD.length, pending.length());
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        long length = 0;
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          String name = lines[i].substring(0, colon);
          String value = lines[i].substring(colon + 1).trim();
          headers.add(Map.entry(name, value));
          if (name.equalsIgnoreCase("content-length")) {
            length = Long.parseLong(value);
          } else if (name.equalsIgnoreCase("transfer-encoding")) {
            socket.close();
            return;
          }
        }
        Seen s = new Seen(number, requestLine[0], requestLine[1], headers);
        Answer answer = script.apply(s);
        record(s);
        bodyLeft = length;
        if (answer.atHead() || length == 0) {
          run(answer.steps(), 0, s.target());
        } else {
          waiting = answer;
          waitingTarget = s.target();
        }
      }
    }

    private void run(List<Step> steps, int from, String target) {
      for (int i = from; i < steps.size() && !closed; i++) {
        Step step = steps.get(i);
        if (step instanceof Step.Write w) {
          socket.write(Buffer.buffer(w.text().getBytes(StandardCharsets.ISO_8859_1)));
        } else if (step instanceof Step.EchoTarget) {
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: " + target.length() + "\r\n\r\n" + target);
        } else if (step instanceof Step.Close) {
          closed = true;
          socket.close();
        } else if (step instanceof Step.Tunnel) {
          tunnel = true;
          if (pending.length() > 0) {
            socket.write(pending);
            pending = Buffer.buffer();
          }
        } else if (step instanceof Step.Deaf) {
          deaf = true;
        } else if (step instanceof Step.Pause p) {
          int next = i + 1;
          vertx.setTimer(Math.max(1, p.duration().toMillis()), id -> run(steps, next, target));
          return;
        } else {
          throw new AssertionError(step);
        }
      }
    }
  }

  private static int indexOf(Buffer buffer, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= buffer.length(); i++) {
      for (int j = 0; j < what.length; j++) {
        if (buffer.getByte(i + j) != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public String toString() {
    return "ScriptedUpstream" + seen().stream().map(s -> s.connection() + ":" + s.method() + " " + s.target()).toList();
  }
}
