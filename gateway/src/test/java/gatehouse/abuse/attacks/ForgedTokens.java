package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import gatehouse.authn.apikey.WellFormedKeys;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Credentials that must each be checked and refused, on kept-alive connections: in turn a JWT of
 * the trusted issuer whose RS256 signature is random (a new one each time, so nothing is cached),
 * and a new, well-formed API key no store holds (so each reaches the key store). Volume: requests.
 */
public final class ForgedTokens implements Attack {
  private final int threads;

  public ForgedTokens(int threads) {
    this.threads = threads;
  }

  @Override
  public String name() {
    return "forged tokens and API keys";
  }

  @Override
  public String unit() {
    return "requests";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    String signed = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "mallory").sign();
    String unsigned = signed.substring(0, signed.lastIndexOf('.') + 1);
    return Workers.run("forged", threads, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      byte[] signature = new byte[256];
      RawHttp http = null;
      try {
        for (int i = 0; System.nanoTime() < deadline; i++) {
          String credential;
          String path;
          if (i % 2 == 0) {
            ThreadLocalRandom.current().nextBytes(signature);
            credential = "Authorization: Bearer " + unsigned + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
            path = Target.JWT;
          } else {
            credential = "X-API-Key: " + WellFormedKeys.random();
            path = Target.API_KEY;
          }
          try {
            if (http == null) http = new RawHttp(target.port());
            http.send("GET " + path + i + " HTTP/1.1\r\nHost: gw.test\r\n" + credential + "\r\n\r\n");
            http.read(true);
          } catch (IOException | RuntimeException e) {
            if (http != null) http.close();
            http = null;
          }
          volume.incrementAndGet();
        }
      } finally {
        if (http != null) http.close();
      }
    });
  }
}
