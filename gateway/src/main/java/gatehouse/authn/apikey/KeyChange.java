package gatehouse.authn.apikey;

import gatehouse.config.KeyStoreConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One change to one key, as it travels on a PostgreSQL store's channel: what happened and the
 * key's id. Never the key, its hash or its display prefix: a payload is visible to every session
 * of the database that listens on the channel.
 *
 * @param event {@code created}, {@code revoked}, {@code rotated} (the old key; its successor is sent as {@code created}),
 *     {@code changed} (scopes, limit or name)
 * @param id the key's id, {@code key_...}
 */
record KeyChange(String event, String id) {
  static final Set<String> EVENTS = Set.of("created", "revoked", "rotated", "changed");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,40}");
  /** PostgreSQL truncates identifiers, channel names among them, to 63 bytes (NAMEDATALEN - 1). */
  private static final int MAX_CHANNEL = 63;

  KeyChange {
    if (!EVENTS.contains(event)) throw new IllegalArgumentException("unknown key event '" + event + "'");
    if (!ID.matcher(id).matches()) throw new IllegalArgumentException("not a key id");
  }

  /** The NOTIFY payload: {@code {"event":"revoked","id":"key_..."}}. */
  String payload() {
    return new JsonObject().put("event", event).put("id", id).encode();
  }

  /** The change {@code payload} names; empty when it is not one this version understands. */
  static Optional<KeyChange> parse(String payload) {
    try {
      JsonObject o = new JsonObject(payload);
      if (o.getValue("event") instanceof String event && o.getValue("id") instanceof String id
          && EVENTS.contains(event) && ID.matcher(id).matches()) {
        return Optional.of(new KeyChange(event, id));
      }
    } catch (DecodeException | ClassCastException e) {
      // not ours, or from a newer version: the caller resynchronises
    }
    return Optional.empty();
  }

  /**
   * The channel of the registry {@code store} names: {@code gatehouse_api_keys}, plus {@code _SCHEMA}
   * when the tables live in a schema of their own, so registries sharing a database do not hear
   * each other. Cut to 63 characters as PostgreSQL would (a schema is plain ASCII): two long schema
   * names with one 44-character prefix share a channel, which costs each some needless cache drops.
   */
  static String channel(KeyStoreConfig store) {
    String channel = "gatehouse_api_keys" + store.schema().map(s -> "_" + s).orElse("");
    return channel.length() > MAX_CHANNEL ? channel.substring(0, MAX_CHANNEL) : channel;
  }
}
