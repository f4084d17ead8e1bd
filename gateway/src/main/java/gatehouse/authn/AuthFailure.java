package gatehouse.authn;

/**
 * Why a presented credential was refused. {@code code} is short and stable and goes to the client
 * as RFC 6750 {@code error_description} (for example {@code expired}, {@code bad_signature});
 * {@code detail} goes only to the log and never contains the credential. {@code claim}, when
 * present, is the configured claim path the refusal is about; it goes to the client after the code
 * (a path from the config, never a value from the credential).
 */
public record AuthFailure(String code, String detail, java.util.Optional<String> claim) {

  /** A failure about no particular claim. */
  public AuthFailure(String code, String detail) {
    this(code, detail, java.util.Optional.empty());
  }

  /** The code for a credential handed to an authenticator that does not verify its kind. */
  public static final String UNSUPPORTED_CREDENTIAL = "unsupported_credential";

  /** The code for a token whose {@code iss} no configured provider claims (JWT verification uses it too). */
  public static final String UNKNOWN_ISSUER = "unknown_issuer";

  /**
   * The answer of {@code authenticator} (a name for the log) to a credential it does not verify:
   * a pipeline wiring bug, answered as a refusal rather than an exception.
   */
  public static io.vertx.core.Future<Authentication> unsupported(String authenticator, Object credential) {
    return io.vertx.core.Future.succeededFuture(new Authentication.Rejected(new AuthFailure(UNSUPPORTED_CREDENTIAL,
        "the " + authenticator + " authenticator was given a " + (credential == null ? "null" : credential.getClass().getSimpleName()))));
  }
}
