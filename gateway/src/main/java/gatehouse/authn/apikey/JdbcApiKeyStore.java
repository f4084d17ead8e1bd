package gatehouse.authn.apikey;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.config.KeyStoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link ApiKeyStore}: plain JDBC through HikariCP, the same statements for SQLite and
 * PostgreSQL. The database is opened, and migrated with Flyway, on first use, on the worker pool;
 * if that fails the next call tries again, so a store that is down at start-up, or goes down
 * later, is picked up again without a restart.
 *
 * <p>On PostgreSQL every change to a key is announced with {@code pg_notify} on the store's
 * channel ({@link KeyChange#channel}) in the transaction that makes it: PostgreSQL delivers the
 * event when, and only when, the change commits, so no instance hears of a change that did not
 * happen or misses one that did while it was listening ({@link KeyChangeListener}). SQLite has no
 * such carrier; it serves one gateway, which drops its own cache entries when it makes a change.
 */
final class JdbcApiKeyStore implements ApiKeyStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcApiKeyStore.class);
  static final String HISTORY_TABLE = "gatehouse_schema_history";
  private static final String COLUMNS =
      "id, key_hash, display_prefix, owner_id, name, scopes, rate_limit, created_at, expires_at, revoked_at, last_used_at, quota, quota_period";

  private final KeyStoreConfig config;
  private final WorkerExecutor worker;
  private final int queryTimeoutSeconds;
  /** Where changes are announced; empty for SQLite. */
  private final Optional<String> channel;
  private volatile HikariDataSource dataSource;
  /** Look-ups only: connections are read-only, and the schema is neither created nor migrated. */
  private final boolean readOnly;

  JdbcApiKeyStore(Vertx vertx, KeyStoreConfig config) {
    this(vertx, config, false);
  }

  JdbcApiKeyStore(Vertx vertx, KeyStoreConfig config, boolean readOnly) {
    this.readOnly = readOnly;
    this.config = config;
    this.channel = config.sqlite() ? Optional.empty() : Optional.of(KeyChange.channel(config));
    // A named pool as large as the connection pool: a thread never waits for a connection it cannot get.
    this.worker = vertx.createSharedWorkerExecutor("gatehouse-key-store-" + Integer.toHexString(System.identityHashCode(this)),
        config.poolSize(), Math.max(10, config.timeout().toSeconds() * 4), TimeUnit.SECONDS);
    this.queryTimeoutSeconds = (int) Math.max(1, (config.timeout().toMillis() + 999) / 1000);
  }

  @Override
  public Future<Optional<StoredKey>> findByHash(String hash) {
    return run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ?")) {
        s.setString(1, hash);
        return one(s);
      }
    });
  }

  @Override
  public Future<Optional<StoredKey>> find(String id) {
    return run(c -> byId(c, id));
  }

  @Override
  public Future<List<StoredKey>> list(Optional<String> owner) {
    return run(c -> {
      String sql = "SELECT " + COLUMNS + " FROM api_keys" + (owner.isPresent() ? " WHERE owner_id = ?" : "") + " ORDER BY created_at, id";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        if (owner.isPresent()) s.setString(1, owner.get());
        s.setQueryTimeout(queryTimeoutSeconds);
        List<StoredKey> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) out.add(row(rs));
        }
        return out;
      }
    });
  }

  @Override
  public Future<Void> insert(StoredKey key) {
    return inTransaction(c -> {
      insert(c, key);
      announce(c, new KeyChange("created", key.id()));
      return null;
    });
  }

  @Override
  public Future<Optional<StoredKey>> revoke(String id, Instant at) {
    return inTransaction(c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        s.setLong(1, at.toEpochMilli());
        s.setString(2, id);
        s.setQueryTimeout(queryTimeoutSeconds);
        s.executeUpdate();
      }
      Optional<StoredKey> after = byId(c, id);
      // Also when it was revoked already: revoking again re-sends an event an instance may have missed.
      if (after.isPresent()) announce(c, new KeyChange("revoked", id));
      return after;
    });
  }

  @Override
  public Future<Optional<StoredKey>> rotate(String id, Instant now, Instant endsAt, UnaryOperator<StoredKey> successor) {
    return inTransaction(c -> {
      Optional<StoredKey> old = byId(c, id);
      if (old.isEmpty() || old.get().state(now) != ApiKeyInfo.State.ACTIVE) return Optional.<StoredKey>empty();
      String sql = endsAt.isAfter(now)
          ? "UPDATE api_keys SET expires_at = ? WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)"
          : "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND (revoked_at IS NULL OR revoked_at > ?)";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setLong(1, endsAt.toEpochMilli());
        s.setString(2, id);
        s.setLong(3, endsAt.toEpochMilli());
        s.setQueryTimeout(queryTimeoutSeconds);
        s.executeUpdate();
      }
      StoredKey next = successor.apply(old.get());
      insert(c, next);
      announce(c, new KeyChange("rotated", id));
      announce(c, new KeyChange("created", next.id()));
      return Optional.of(next);
    });
  }

  @Override
  public Future<Optional<StoredKey>> change(String id, UnaryOperator<StoredKey> edit) {
    return inTransaction(c -> {
      // FOR UPDATE: two changes of one key at once apply one after the other, neither lost. SQLite has one writer anyway.
      Optional<StoredKey> old;
      try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?" + (config.sqlite() ? "" : " FOR UPDATE"))) {
        s.setString(1, id);
        old = one(s);
      }
      if (old.isEmpty()) return Optional.<StoredKey>empty();
      StoredKey next = edit.apply(old.get());
      try (PreparedStatement s = c.prepareStatement("UPDATE api_keys SET name = ?, scopes = ?, rate_limit = ?, quota = ?, quota_period = ? WHERE id = ?")) {
        s.setString(1, next.name().orElse(null));
        s.setString(2, String.join(" ", next.scopes()));
        if (next.rateLimit().isPresent()) s.setInt(3, next.rateLimit().get()); else s.setNull(3, Types.INTEGER);
        setQuota(s, 4, next.quota());
        s.setString(6, id);
        s.setQueryTimeout(queryTimeoutSeconds);
        s.executeUpdate();
      }
      announce(c, new KeyChange("changed", id));
      return Optional.of(next);
    });
  }

  @Override
  public Future<Void> recordUse(Map<String, Instant> lastUsed) {
    if (lastUsed.isEmpty()) return Future.succeededFuture();
    return run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
        for (Map.Entry<String, Instant> e : lastUsed.entrySet()) {
          s.setLong(1, e.getValue().toEpochMilli());
          s.setString(2, e.getKey());
          s.setLong(3, e.getValue().toEpochMilli());
          s.addBatch();
        }
        s.setQueryTimeout(queryTimeoutSeconds);
        s.executeBatch();
      }
      return null;
    });
  }

  /** Closes the pool and the worker threads; calls after this fail. */
  Future<Void> close() {
    return worker.executeBlocking(() -> {
      HikariDataSource ds = dataSource;
      dataSource = null;
      if (ds != null) ds.close();
      return (Void) null;
    }, false).eventually(() -> worker.close());
  }

  /** The applied schema version, migrating first if need be; for tests, as no command shows it. */
  Future<String> schemaVersion() {
    return run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT version FROM " + HISTORY_TABLE + " WHERE success = " + (config.sqlite() ? "1" : "true") + " ORDER BY installed_rank DESC")) {
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? rs.getString(1) : "none";
        }
      }
    });
  }

  /** The store as logs may show it. */
  String display() {
    return config.display();
  }

  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /** {@code work} in one transaction: committed when it returns, rolled back when it throws. */
  private <T> Future<T> inTransaction(Work<T> work) {
    return run(c -> {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  /** Announces {@code change} when the transaction on {@code c} commits; nothing on SQLite. */
  private void announce(Connection c, KeyChange change) throws SQLException {
    if (channel.isEmpty()) return;
    try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      s.setString(1, channel.get());
      s.setString(2, change.payload());
      s.setQueryTimeout(queryTimeoutSeconds);
      s.execute();
    }
  }

  private <T> Future<T> run(Work<T> work) {
    Callable<T> task = () -> {
      try (Connection c = open().getConnection()) {
        return work.apply(c);
      }
    };
    return worker.executeBlocking(task, false);
  }

  /** Opens the pool and migrates on first use; synchronized so two first calls migrate once. */
  private synchronized HikariDataSource open() throws SQLException {
    HikariDataSource ds = dataSource;
    if (ds != null) return ds;
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("gatehouse-keys");
    hc.setJdbcUrl(config.jdbcUrl());
    config.user().ifPresent(hc::setUsername);
    config.password().ifPresent(hc::setPassword);
    config.schema().ifPresent(hc::setSchema);
    hc.setMaximumPoolSize(config.poolSize());
    hc.setMinimumIdle(Math.min(1, config.poolSize()));
    long timeout = Math.max(250, config.timeout().toMillis());
    hc.setConnectionTimeout(timeout);
    hc.setValidationTimeout(Math.max(250, Math.min(timeout, 5000)));
    // Fail here, not later, when the database cannot be reached: the caller answers 503 and retries.
    hc.setInitializationFailTimeout(1);
    hc.setReadOnly(readOnly);
    if (config.sqlite() && readOnly) {
      hc.addDataSourceProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: a missing file is an error, not created
    } else if (config.sqlite()) {
      try {
        Files.createDirectories(config.sqliteFile().get().getParent());
      } catch (IOException e) {
        throw new SQLException("cannot create the directory of the SQLite store", new UncheckedIOException(e));
      }
      // WAL lets lookups read while the CLI writes; busy_timeout waits for a writer instead of failing.
      hc.addDataSourceProperty("journal_mode", "WAL");
      hc.addDataSourceProperty("busy_timeout", Long.toString(timeout));
    } else {
      hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, timeout / 1000)));
      hc.addDataSourceProperty("socketTimeout", Long.toString(Math.max(5, queryTimeoutSeconds * 3L)));
      hc.addDataSourceProperty("ApplicationName", "gatehouse");
    }
    ds = new HikariDataSource(hc);
    if (readOnly) {
      dataSource = ds;
      return ds;
    }
    try {
      var flyway = Flyway.configure(JdbcApiKeyStore.class.getClassLoader())
          .dataSource(ds)
          .locations("classpath:gatehouse/db/apikeys")
          .table(HISTORY_TABLE);
      if (config.schema().isPresent()) flyway = flyway.schemas(config.schema().get()).createSchemas(true);
      var result = flyway.load().migrate();
      log.info("key store {} at schema version {}", config.display(), result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion);
    } catch (RuntimeException e) {
      ds.close();
      throw new SQLException("cannot migrate the key store " + config.display() + ": " + e.getMessage(), e);
    }
    dataSource = ds;
    return ds;
  }

  private static void insert(Connection c, StoredKey k) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, k.id());
      s.setString(2, k.hash());
      s.setString(3, k.displayPrefix());
      s.setString(4, k.ownerId());
      s.setString(5, k.name().orElse(null));
      s.setString(6, String.join(" ", k.scopes()));
      if (k.rateLimit().isPresent()) s.setInt(7, k.rateLimit().get()); else s.setNull(7, Types.INTEGER);
      s.setLong(8, k.createdAt().toEpochMilli());
      setInstant(s, 9, k.expiresAt());
      setInstant(s, 10, k.revokedAt());
      setInstant(s, 11, k.lastUsedAt());
      setQuota(s, 12, k.quota());
      s.executeUpdate();
    }
  }

  private Optional<StoredKey> byId(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?")) {
      s.setString(1, id);
      return one(s);
    }
  }

  private Optional<StoredKey> one(PreparedStatement s) throws SQLException {
    s.setQueryTimeout(queryTimeoutSeconds);
    try (ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(row(rs)) : Optional.empty();
    }
  }

  private static StoredKey row(ResultSet rs) throws SQLException {
    String scopes = rs.getString(6);
    int limit = rs.getInt(7);
    Optional<Integer> rateLimit = rs.wasNull() ? Optional.empty() : Optional.of(limit);
    return new StoredKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Optional.ofNullable(rs.getString(5)),
        scopes.isEmpty() ? new HashSet<>() : new HashSet<>(Arrays.asList(scopes.split(" "))), rateLimit, quota(rs),
        Instant.ofEpochMilli(rs.getLong(8)), instant(rs, 9), instant(rs, 10), instant(rs, 11));
  }

  /** Columns 12 and 13; a period this version does not know fails the read, as a key must not lose its quota silently. */
  private static Optional<CalendarQuota> quota(ResultSet rs) throws SQLException {
    long n = rs.getLong(12);
    if (rs.wasNull()) return Optional.empty();
    String period = rs.getString(13);
    return Optional.of(new CalendarQuota(n, CalendarQuota.Period.of(period == null ? "" : period)
        .orElseThrow(() -> new SQLException("unknown quota period '" + period + "'"))));
  }

  private static void setQuota(PreparedStatement s, int index, Optional<CalendarQuota> quota) throws SQLException {
    if (quota.isPresent()) {
      s.setLong(index, quota.get().requests());
      s.setString(index + 1, quota.get().period().word());
    } else {
      s.setNull(index, Types.BIGINT);
      s.setNull(index + 1, Types.VARCHAR);
    }
  }

  private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static void setInstant(PreparedStatement s, int index, Optional<Instant> value) throws SQLException {
    if (value.isPresent()) s.setLong(index, value.get().toEpochMilli()); else s.setNull(index, Types.BIGINT);
  }
}
