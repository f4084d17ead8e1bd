package gatehouse.authn;

/** How an identity was established. */
public enum Scheme {
  JWT,
  API_KEY,
  INTROSPECTION,
  /** A TLS client certificate ({@code authn/mtls}). */
  MTLS
}
