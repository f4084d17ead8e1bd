package gatehouse.authn;

/** How an identity was established. */
public enum Scheme {
  JWT,
  API_KEY,
  INTROSPECTION
}
