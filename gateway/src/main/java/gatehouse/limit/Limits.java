package gatehouse.limit;

import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Quota;
import gatehouse.config.RouteConfig;
import gatehouse.ratelimit.Bucket;
import gatehouse.ratelimit.BucketKey;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.Verdict;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The limit stage: decides which buckets apply to a request, asks the {@link RateLimiter} for a
 * token from each, and combines the verdicts. Today one bucket can apply: the limit a credential
 * carries itself (an API key's {@code rate_limit}).
 */
public final class Limits {
  private static final Future<Admission> UNLIMITED = Future.succeededFuture(new Admission.Admitted(Optional.empty()));

  private final RateLimiter limiter;

  public Limits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /**
   * Admits or refuses the request {@code route} took from {@code identity} (empty on a public route
   * without credentials). Called on an event loop; never blocks; the future fails only if the
   * limiter breaks its contract. When several buckets apply, each takes a token, and any
   * Unavailable, then any Denied, decides.
   */
  public Future<Admission> admit(RouteConfig route, Optional<Identity> identity, Optional<CredentialLimit> own) {
    List<Bucket> buckets = buckets(route, identity, own);
    if (buckets.isEmpty()) return UNLIMITED;
    if (buckets.size() == 1) return acquire(buckets.get(0)).map(v -> decide(List.of(v)));
    List<Future<Verdict>> asked = new ArrayList<>(buckets.size());
    for (Bucket b : buckets) asked.add(acquire(b));
    return Future.all(asked).map(all -> decide(all.list()));
  }

  /** The buckets that apply, from what the route, the identity and the credential say. */
  static List<Bucket> buckets(RouteConfig route, Optional<Identity> identity, Optional<CredentialLimit> own) {
    if (own.isEmpty()) return List.of();
    CredentialLimit c = own.get();
    return List.of(new Bucket(new BucketKey.Key(c.credentialId()), new Limit(c.requests(), c.window())));
  }

  private Future<Verdict> acquire(Bucket b) {
    return limiter.acquire(b.key().name(), b.limit());
  }

  static Admission decide(List<Verdict> verdicts) {
    Admission.Limited limited = null;
    Quota tightest = null;
    for (Verdict v : verdicts) {
      if (v instanceof Verdict.Unavailable u) return new Admission.Unavailable(u.reason());
      if (v instanceof Verdict.Denied d) {
        Quota q = new Quota(d.limit().requests(), d.limit().window(), 0, d.resetAfter());
        if (limited == null || d.retryAfter().compareTo(limited.retryAfter()) > 0) limited = new Admission.Limited(q, d.retryAfter());
      } else if (v instanceof Verdict.Allowed a) {
        Quota q = new Quota(a.limit().requests(), a.limit().window(), a.remaining(), a.resetAfter());
        if (tightest == null || q.remaining() < tightest.remaining()) tightest = q;
      } else {
        throw new AssertionError("unknown verdict " + v);
      }
    }
    return limited != null ? limited : new Admission.Admitted(Optional.ofNullable(tightest));
  }
}
