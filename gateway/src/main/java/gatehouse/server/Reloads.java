package gatehouse.server;

import gatehouse.config.ConfigException;
import io.vertx.core.Future;
import java.util.List;

/**
 * Reloading the config file while the gateway runs: what the admin {@code POST /reload}, {@code
 * SIGHUP} and the file watch ask for. Reloads run one at a time.
 */
public interface Reloads {
  /**
   * Reads, validates and compiles the file, then serves new requests with it; a file that fails
   * changes nothing. {@code trigger} says who asked (logged). Never fails: the result says.
   */
  Future<Result> reload(String trigger);

  /** The config served now. */
  Version current();

  /**
   * A config as served: its generation (1 at start, one more per reload applied) and the SHA-256
   * of the file's bytes (hex), which {@code sha256sum} of the file prints too.
   */
  record Version(long generation, String sha256) {}

  /** How a reload ended. */
  sealed interface Result {
    /** What the result is counted as: {@code success}, {@code failure} or {@code refused}. */
    String label();
  }

  /** The new config serves every request that starts from now on. */
  record Applied(Version version) implements Result {
    @Override
    public String label() {
      return "success";
    }
  }

  /** The file was not applied: nothing changed. {@code problems} name the file, line and key of each. */
  record NotApplied(Reason reason, List<ConfigException.Problem> problems) implements Result {
    public NotApplied {
      problems = List.copyOf(problems);
    }

    @Override
    public String label() {
      return reason.label;
    }
  }

  /** Why a file was not applied. */
  enum Reason {
    /** The file cannot be read or is invalid. */
    INVALID("failure"),
    /** The file is valid but changes what only a restart can (a listener's address, Redis). */
    NEEDS_RESTART("refused");

    final String label;

    Reason(String label) {
      this.label = label;
    }
  }
}
