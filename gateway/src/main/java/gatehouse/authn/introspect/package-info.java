/**
 * OAuth 2.0 token introspection (RFC 7662): asks an authorization server whether a bearer token
 * is active, caches its answers (never a route's decision) and fails closed when it cannot ask.
 * Public: {@link gatehouse.authn.introspect.IntrospectionAuthenticator}; the rest is the engine.
 */
package gatehouse.authn.introspect;
