package gatehouse.ratelimit;

/**
 * Whose requests a bucket counts. {@link #name} is the key a {@link RateLimiter} stores the bucket
 * under; names of different kinds never collide.
 */
public sealed interface BucketKey {

  /** The stored key name, unique across kinds. */
  String name();

  /** One credential with a limit of its own (an API key), by its id, never its secret. */
  record Key(String credentialId) implements BucketKey {
    @Override
    public String name() {
      return "key:" + credentialId;
    }
  }

  /** One verified subject of one issuer. */
  record Subject(String issuer, String subject) implements BucketKey {
    @Override
    public String name() {
      // The issuer's length first, so a ':' in either part cannot make two pairs one name.
      return "sub:" + issuer.length() + ":" + issuer + ":" + subject;
    }
  }

  /** One client address, as the gateway saw the connection. */
  record ClientAddress(String address) implements BucketKey {
    @Override
    public String name() {
      return "addr:" + address;
    }
  }

  /** Every request the gateway takes, whoever sends it, on whichever route. */
  record Global() implements BucketKey {
    @Override
    public String name() {
      return "global";
    }
  }

  /** Every request a route takes, whoever sends it. */
  record Route(String routeId) implements BucketKey {
    @Override
    public String name() {
      return "route:" + routeId;
    }
  }
}
