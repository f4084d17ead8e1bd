package gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where API keys are kept: {@code auth.api_keys.store}, read into a JDBC URL. {@link #toString()}
 * never shows the password.
 *
 * @param jdbcUrl the driver URL, without user or password
 * @param display the store as logs and messages may show it (no password)
 * @param sqliteFile the database file when the store is SQLite (created on first use)
 * @param schema the PostgreSQL schema the tables live in ({@code ?currentSchema=}), if not the default
 * @param poolSize connections (and worker threads) at most
 * @param timeout how long to wait for a connection or a statement
 */
public record KeyStoreConfig(
    String jdbcUrl,
    String display,
    Optional<String> user,
    Optional<String> password,
    Optional<Path> sqliteFile,
    Optional<String> schema,
    int poolSize,
    Duration timeout) {

  public boolean sqlite() {
    return sqliteFile.isPresent();
  }

  @Override
  public String toString() {
    return "KeyStoreConfig[" + display + ", pool " + poolSize + ", timeout " + timeout + "]";
  }
}
