package gatehouse.authn.apikey;

import gatehouse.config.ApiKeysConfig;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.TestDatabases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds key-store configs the way users write them, and waits for futures on the test thread. */
final class KeyStores {
  private KeyStores() {}

  /** {@code auth.api_keys} with {@code store} and the extra {@code lines} (YAML, indented by four). */
  static ApiKeysConfig config(String store, String... lines) {
    return config(store, Map.of(), lines);
  }

  static ApiKeysConfig config(String store, Map<String, String> env, String... lines) {
    String yaml = String.join("\n",
        "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
        "auth:",
        "  api_keys:",
        "    store: \"" + store + "\"",
        String.join("\n", lines),
        "routes:",
        "  - {match: {prefix: /}, upstream: app, policy: api_key}",
        "");
    try {
      return ConfigLoader.parse("test.yaml", yaml, Path.of("/tmp"), env::get).auth().keyStore();
    } catch (ConfigException e) {
      throw new AssertionError(e.problems().toString(), e);
    }
  }

  static JdbcApiKeyStore store(Vertx vertx, TestDatabases.Db db) {
    return new JdbcApiKeyStore(vertx, config(db.store()).store());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

}
