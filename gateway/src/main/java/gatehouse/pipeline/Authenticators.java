package gatehouse.pipeline;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.credential.Credential;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * The authenticator for each kind of credential. A kind with none configured rejects every
 * credential of that kind: an API key presented to a gateway without a key store is invalid, never
 * absent.
 */
public record Authenticators(Optional<Authenticator> bearer, Optional<Authenticator> apiKey, Optional<Authenticator> mtls) {

  public Authenticators(Optional<Authenticator> bearer, Optional<Authenticator> apiKey) {
    this(bearer, apiKey, Optional.empty());
  }

  /** Routes {@code credential} to its authenticator. Same contract as {@link Authenticator}. */
  public Future<Authentication> authenticate(Credential credential) {
    Optional<Authenticator> chosen;
    if (credential instanceof Credential.BearerToken) chosen = bearer;
    else if (credential instanceof Credential.ApiKey) chosen = apiKey;
    else if (credential instanceof Credential.ClientCertificate) chosen = mtls;
    else throw new AssertionError("unknown credential " + credential.getClass());
    return chosen
        .map(a -> a.authenticate(credential))
        .orElseGet(() -> Future.succeededFuture(new Authentication.Rejected(
            new AuthFailure("not_accepted", "no authenticator is configured for " + credential.getClass().getSimpleName()))));
  }
}
