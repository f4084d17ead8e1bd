/**
 * A secret's text and its SHA-256, with a redacting {@code toString}: the one type for every secret
 * the gateway holds, whether a client presented it (stage 2) or the config named it (client
 * secrets, HMAC keys). Depends on no other gatehouse package, so config and the stages can share it.
 */
package gatehouse.secret;
