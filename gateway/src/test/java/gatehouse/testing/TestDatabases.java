package gatehouse.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Key stores for tests: SQLite in a temp dir, and PostgreSQL at 127.0.0.1:5432 (trust auth,
 * database {@code test}) in a schema unique to one test, dropped by {@link Db#close()}. Without a
 * reachable PostgreSQL a test is skipped, except on CI ({@code CI=true}), where it fails.
 */
public final class TestDatabases {
  public static final String PG_HOST_PORT = "127.0.0.1:5432";
  public static final String PG_USER = "postgres";

  private TestDatabases() {}

  public enum Kind { SQLITE, POSTGRESQL }

  /** A database for one test. {@link #store()} is the config value for {@code auth.api_keys.store}. */
  public interface Db extends AutoCloseable {
    String store();

    /** The same database reached through {@code hostPort} instead (a proxy in front of it). PostgreSQL only. */
    String storeVia(String hostPort);

    @Override
    void close();
  }

  public static Db create(Kind kind) {
    return kind == Kind.SQLITE ? sqlite() : postgres();
  }

  public static Db sqlite() {
    try {
      Path dir = Files.createTempDirectory("gatehouse-keys");
      return new Db() {
        @Override
        public String store() {
          return "sqlite:" + dir.resolve("keys.db");
        }

        @Override
        public String storeVia(String hostPort) {
          throw new UnsupportedOperationException("SQLite has no network address");
        }

        @Override
        public void close() {
          try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          } catch (IOException ignored) {
            // a temp dir left behind is harmless
          }
        }
      };
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public static Db postgres() {
    requirePostgres();
    String schema = "gh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    return new Db() {
      @Override
      public String store() {
        return storeVia(PG_HOST_PORT);
      }

      @Override
      public String storeVia(String hostPort) {
        return "postgresql://" + PG_USER + "@" + hostPort + "/test?currentSchema=" + schema;
      }

      @Override
      public void close() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
          throw new AssertionError("could not drop " + schema, e);
        }
      }
    };
  }

  /** Skips the calling test when PostgreSQL is not reachable, unless on CI, where that is a failure. */
  public static void requirePostgres() {
    try (Connection c = connect()) {
      c.isValid(2);
    } catch (SQLException e) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError("PostgreSQL at " + PG_HOST_PORT + " is required on CI", e);
      Assumptions.abort("PostgreSQL at " + PG_HOST_PORT + " is not reachable: " + e.getMessage());
    }
  }

  private static Connection connect() throws SQLException {
    DriverManager.setLoginTimeout(3);
    return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST_PORT + "/test", PG_USER, "");
  }
}
