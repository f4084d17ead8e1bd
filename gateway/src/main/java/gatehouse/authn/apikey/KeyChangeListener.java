package gatehouse.authn.apikey;

import gatehouse.config.KeyStoreConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears of key changes made by other instances and the CLI on a PostgreSQL store ({@code LISTEN}
 * on {@link KeyChange#channel}) and drops the changed key from the caches of the authenticators it
 * feeds. One per store per process.
 *
 * <p>Its connection is its own (not one of the pool's), opened with pgjdbc, and waited on by a
 * daemon thread of its own ({@code gatehouse-key-changes-N}) with {@link
 * PGConnection#getNotifications(int)}: never on an event loop, never on the store's worker pool,
 * and with the store's own driver, URL and credentials. When the connection drops it reconnects
 * with back-off (100 ms doubling to 5 s, with jitter); each time it starts listening it drops every
 * cached answer, since changes made while it was away were not heard. An idle connection is checked
 * with {@code SELECT 1} every {@link #HEARTBEAT}, under a socket timeout, so one that died
 * silently is noticed. Meanwhile {@code cache_ttl} bounds how stale a cached key can be.
 *
 * <p>Logs one line when it starts listening and one when it stops (or first fails to), not one
 * per event or per retry.
 */
public final class KeyChangeListener implements MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(KeyChangeListener.class);
  private static final AtomicInteger NUMBER = new AtomicInteger();
  /** How long one wait for notifications lasts: the longest {@link #close} waits for the thread. */
  static final Duration POLL = Duration.ofMillis(250);
  /** How long the connection may be silent before a {@code SELECT 1} checks it. */
  static final Duration HEARTBEAT = Duration.ofSeconds(5);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final KeyStoreConfig store;
  private final String channel;
  private final String applicationName;
  private final List<ApiKeyAuthenticator> caches = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
  private final AtomicLong reconnects = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean connected;

  private KeyChangeListener(KeyStoreConfig store) {
    this.store = store;
    this.channel = KeyChange.channel(store);
    int n = NUMBER.incrementAndGet();
    // pg_stat_activity shows it: which process, and which of its listeners.
    this.applicationName = "gatehouse-key-changes-" + ProcessHandle.current().pid() + "-" + n;
    for (String e : KeyChange.EVENTS) events.put(e, new AtomicLong());
    events.put("unreadable", new AtomicLong());
    this.thread = new Thread(this::run, "gatehouse-key-changes-" + n);
    thread.setDaemon(true);
  }

  /**
   * Starts listening on {@code store}'s channel, in the background: returns at once, connected or
   * not. Feed it the authenticators of this store with {@link #feed}.
   *
   * @throws IllegalArgumentException when {@code store} is SQLite, which has no channel
   */
  public static KeyChangeListener start(KeyStoreConfig store) {
    if (store.sqlite()) throw new IllegalArgumentException("a SQLite key store has no change events: it serves one gateway");
    KeyChangeListener l = new KeyChangeListener(store);
    l.thread.start();
    return l;
  }

  /** From now on, changes heard drop {@code authenticator}'s cache entries for the changed key. */
  public void feed(ApiKeyAuthenticator authenticator) {
    caches.add(authenticator);
  }

  /** From now on, changes heard no longer reach {@code authenticator} (closed: its config was replaced). */
  public void stopFeeding(ApiKeyAuthenticator authenticator) {
    caches.remove(authenticator);
  }

  /** Whether the listener is connected and listening now. */
  public boolean connected() {
    return connected;
  }

  /** The {@code application_name} of its connection, as {@code pg_stat_activity} shows it. */
  public String applicationName() {
    return applicationName;
  }

  /** The channel it listens on. */
  public String channel() {
    return channel;
  }

  /**
   * Stops listening: the thread ends within {@link #POLL} and closes the connection. Never blocks;
   * the future completes when the thread has ended.
   */
  public CompletableFuture<Void> close() {
    closing.countDown();
    return ended;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    events.forEach((event, count) -> FunctionCounter.builder("gatehouse_key_events", count, AtomicLong::get)
        .description("Key change events heard from the key store, by event; unreadable ones drop every cached key")
        .tag("channel", channel).tag("event", event).register(registry));
    FunctionCounter.builder("gatehouse_key_events_reconnects", reconnects, AtomicLong::get)
        .description("Times the key change listener connected again after losing its connection")
        .tag("channel", channel).register(registry);
    Gauge.builder("gatehouse_key_events_connected", this, l -> l.connected ? 1 : 0)
        .description("1 while the key change listener is listening, else 0 (changes then reach this instance within cache_ttl)")
        .tag("channel", channel).register(registry);
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    boolean tried = false;
    boolean reportedDown = false;
    try {
      while (!closed()) {
        try (Connection c = connect()) {
          try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + quoted(channel));
          }
          // After LISTEN, so a change committed from now on arrives as an event, and one made before
          // (while disconnected, or before the first connect) is read afresh from the store.
          caches.forEach(ApiKeyAuthenticator::forgetAll);
          if (tried) reconnects.incrementAndGet();
          tried = true;
          connected = true;
          reportedDown = false;
          backoff = FIRST_BACKOFF;
          log.info("key changes: listening on channel {} of key store {} (connection {})", channel, store.display(), applicationName);
          receive(c);
        } catch (SQLException | RuntimeException e) {
          if (closed()) break;
          if (connected || !reportedDown) {
            log.warn("key changes: {} channel {} of key store {} (connection {}): {}; retrying with back-off, changes made elsewhere"
                    + " reach this instance within cache_ttl meanwhile", connected ? "lost" : "cannot listen on", channel, store.display(),
                applicationName, e.getClass().getSimpleName() + ": " + e.getMessage());
            reportedDown = true;
          }
          connected = false;
          tried = true;
          long jittered = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
          if (closing.await(jittered, TimeUnit.MILLISECONDS)) break;
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (connected) log.info("key changes: stopped listening on channel {} (connection {})", channel, applicationName);
      connected = false;
      ended.complete(null);
    }
  }

  /** Delivers notifications until the connection fails or the listener is closed. */
  private void receive(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long quietSince = System.nanoTime();
    while (!closed()) {
      PGNotification[] got = pg.getNotifications((int) POLL.toMillis());
      long now = System.nanoTime();
      if (got != null && got.length > 0) {
        for (PGNotification n : got) deliver(n.getParameter());
        quietSince = now;
      } else if (now - quietSince >= HEARTBEAT.toNanos()) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        quietSince = now;
      }
    }
  }

  /**
   * Drops the changed key from every cache fed; a payload not understood drops everything (fail
   * closed). A key just created is in no cache: its event is only counted. (Dropping it would also
   * drop the entry a gateway cached for its own new key before the event came back to it.)
   */
  void deliver(String payload) {
    Optional<KeyChange> change = KeyChange.parse(payload);
    events.get(change.map(KeyChange::event).orElse("unreadable")).incrementAndGet();
    if (change.isEmpty()) {
      caches.forEach(ApiKeyAuthenticator::forgetAll);
      return;
    }
    if (change.get().event().equals("created")) return;
    String id = change.get().id();
    caches.forEach(a -> a.forgetKey(id));
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    store.user().ifPresent(u -> p.setProperty("user", u));
    store.password().ifPresent(pw -> p.setProperty("password", pw));
    p.setProperty("ApplicationName", applicationName);
    long timeout = Math.max(1, store.timeout().toSeconds());
    p.setProperty("connectTimeout", Long.toString(timeout));
    p.setProperty("loginTimeout", Long.toString(timeout));
    // Bounds the heartbeat: a connection whose peer vanished fails it instead of hanging.
    p.setProperty("socketTimeout", Long.toString(Math.max(5, timeout * 3)));
    p.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(store.jdbcUrl(), p);
  }

  private boolean closed() {
    return closing.getCount() == 0;
  }

  private static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
