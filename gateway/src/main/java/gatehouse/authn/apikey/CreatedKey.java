package gatehouse.authn.apikey;

import gatehouse.secret.Secret;
import io.vertx.core.json.JsonObject;

/** A key just made: the only time its secret exists outside the client's hands. */
public record CreatedKey(ApiKeyInfo info, Secret key) {

  /** {@link ApiKeyInfo#toJson()} plus {@code key}: print it once, store it nowhere. */
  public JsonObject toJson() {
    return info.toJson().put("key", key.reveal());
  }
}
