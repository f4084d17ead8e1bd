package gatehouse.explain;

import gatehouse.authn.Authentication;
import gatehouse.authz.Decision;
import gatehouse.credential.Extraction;
import gatehouse.identity.HeaderPlan;
import gatehouse.limit.Admission;
import gatehouse.pipeline.StageListener;
import gatehouse.ratelimit.BucketState;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.QuotaVerdict;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.Verdict;
import gatehouse.route.Routing;
import gatehouse.route.Target;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the stages of one explained request answered, as the pipeline told it; and the rate
 * limiter of that run, which notes each bucket asked for and takes nothing from any (every bucket
 * answers full).
 */
final class Recorder implements StageListener, RateLimiter {
  volatile Target target;
  volatile Routing routing;
  volatile Extraction extraction;
  volatile Authentication authentication;
  volatile Decision decision;
  volatile Admission admission;
  volatile HeaderPlan plan;
  /** Buckets asked for, in order: the limit stage's, then a failed authentication's ({@code failed_auth_limit}). */
  final List<Asked> asked = new CopyOnWriteArrayList<>();

  /** One bucket a token would have been taken from; {@code afterFailure} when counted for a refused credential. */
  record Asked(String bucket, Limit limit, boolean afterFailure) {}

  @Override
  public void target(Target t) {
    target = t;
  }

  @Override
  public void routing(Routing r) {
    routing = r;
  }

  @Override
  public void extraction(Extraction e) {
    extraction = e;
  }

  @Override
  public void authentication(Authentication a) {
    authentication = a;
  }

  @Override
  public void decision(Decision d) {
    decision = d;
  }

  @Override
  public void admission(Admission a) {
    admission = a;
  }

  @Override
  public void plan(HeaderPlan p) {
    plan = p;
  }

  @Override
  public Future<Verdict> acquire(String key, Limit limit) {
    // Asked after the authenticator refused the credential: only failed_auth_limit does that.
    asked.add(new Asked(key, limit, authentication instanceof Authentication.Rejected));
    return Future.succeededFuture(new Verdict.Allowed(limit, limit.requests(), Duration.ZERO));
  }

  /** A quota is noted as a bucket named {@code key} and answers as if nothing were counted yet in its window. */
  @Override
  public Future<QuotaVerdict> reserve(String key, CalendarQuota quota) {
    asked.add(new Asked(key + " (quota " + quota + ")", new Limit(quota.requests(), quota.windowAt(Instant.now()).length()), false));
    return Future.succeededFuture(new QuotaVerdict.Counted(state(quota), false));
  }

  @Override
  public Future<Void> release(String key, QuotaVerdict.Counted counted) {
    return Future.succeededFuture();
  }

  @Override
  public Future<BucketState> peek(String key, Limit limit) {
    return Future.succeededFuture(new BucketState(limit, limit.requests(), Duration.ZERO));
  }

  @Override
  public Future<QuotaVerdict.State> peek(String key, CalendarQuota quota) {
    return Future.succeededFuture(state(quota));
  }

  private static QuotaVerdict.State state(CalendarQuota quota) {
    Instant now = Instant.now();
    CalendarQuota.Window window = quota.windowAt(now);
    return new QuotaVerdict.State(quota, window, 0, Duration.between(now, window.end()));
  }

  List<Asked> asked(boolean afterFailure) {
    List<Asked> out = new ArrayList<>();
    for (Asked a : asked) if (a.afterFailure() == afterFailure) out.add(a);
    return out;
  }
}
