/**
 * API keys: format check, hashing, a cached lookup in a JDBC key store (SQLite or PostgreSQL) on
 * a worker pool, per-key rate limits. Reads a {@link gatehouse.credential.Credential.ApiKey};
 * returns an {@link gatehouse.authn.Authentication}. {@link gatehouse.authn.apikey.ApiKeyAdmin}
 * creates, lists, revokes and rotates keys for the CLI and the admin API; on PostgreSQL each change
 * is announced on a channel, and {@link gatehouse.authn.apikey.KeyChangeListener} drops changed keys
 * from every instance's cache.
 */
package gatehouse.authn.apikey;
