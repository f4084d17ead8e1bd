package gatehouse.identity;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What proving a request to a backend costs per request, by mode: the signature base (or claims),
 * the signature and the header values. Run with {@code bench/jmh.sh Signing}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SigningBenchmark {
  @Param({"hmac-sha256", "ed25519", "EdDSA", "ES256"})
  public String algorithm;

  /** {@code crypto.provider}: the JDK's signatures or the native ones (AWS-LC); HMAC is the JDK's either way. */
  @Param({"jdk", "native"})
  public String engine;

  private UpstreamSigner signer;
  private final Map<String, List<String>> headers = Map.of("x-user-id", List.of("alice"), "x-user-role", List.of("admin"));
  private final Optional<Identity> identity = Optional.of(
      new Identity("alice", Scheme.JWT, "main", Set.of("admin"), Set.of(), VerifiedClaims.of(Map.of("sub", "alice")), Optional.empty()));

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("signing-bench");
    Files.writeString(dir.resolve("ed.pem"), TestPki.privateKeyPem(TestPki.ed25519Keys().getPrivate()));
    Files.writeString(dir.resolve("es.pem"), TestPki.privateKeyPem(TestPki.ecKeys().getPrivate()));
    String sign = switch (algorithm) {
      case "hmac-sha256" -> "{mode: http_signature, algorithm: hmac-sha256, keys: [{id: k, secret: \"0123456789abcdef0123456789abcdef\"}]}";
      case "ed25519" -> "{mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}]}";
      case "EdDSA" -> "{mode: identity_token, algorithm: EdDSA, keys: [{id: k, private_key: ed.pem}]}";
      default -> "{mode: identity_token, algorithm: ES256, keys: [{id: k, private_key: es.pem}]}";
    };
    GatehouseConfig config = ConfigLoader.parse("bench.yaml", "upstreams:\n  app: {url: \"http://127.0.0.1:9\", sign: " + sign
        + "}\nroutes:\n  - {match: {prefix: /}, upstream: app}\n", dir, n -> null);
    signer = UpstreamSigners.compile(config, Clock.systemUTC(), new SecureRandom(),
        SignatureEngine.select(engine.equals("jdk") ? SignatureEngine.Choice.JDK : SignatureEngine.Choice.NATIVE)).forUpstream("app");
  }

  @Benchmark
  public Map<String, String> sign() {
    return signer.sign("GET", "orders.internal:8080", "/orders/7?full=1", n -> headers.getOrDefault(n, List.of()), identity, Optional.empty());
  }
}
