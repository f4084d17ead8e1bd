import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Key material for bench/run.sh, JDK only (run as a single-file source program):
 *   java TokenGen.java OUT_DIR ISSUER AUDIENCE DISTINCT_COUNT VALID_SECONDS DISTINCT_ISSUER
 * writes into OUT_DIR:
 *   good.pub.pem    the trusted RSA-2048 public key (X.509 SubjectPublicKeyInfo, for HAProxy and Gatehouse)
 *   good.jwt        one RS256 token signed by the trusted key (sub bench-user)
 *   evil.jwt        the same claims signed by another RSA-2048 key (must be refused everywhere)
 *   distinct.txt    DISTINCT_COUNT tokens signed by the trusted key, one per line, each with its own sub,
 *                   issued by DISTINCT_ISSUER (the bench gives that issuer its own Gatehouse provider,
 *                   with the verified-token cache off); every other token is issued by ISSUER
 *   opaque.txt      one random opaque token (for the introspection stand-in)
 * No kid header: both verifiers try the configured key.
 */
public final class TokenGen {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException("usage: TokenGen OUT_DIR ISSUER AUDIENCE DISTINCT_COUNT VALID_SECONDS DISTINCT_ISSUER");
    }
    Path out = Path.of(args[0]);
    String issuer = args[1], audience = args[2], distinctIssuer = args[5];
    int distinct = Integer.parseInt(args[3]);
    long valid = Long.parseLong(args[4]);
    Files.createDirectories(out);
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair good = gen.generateKeyPair();
    KeyPair evil = gen.generateKeyPair();
    long now = System.currentTimeMillis() / 1000;
    long exp = now + valid;

    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(good.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    write(out.resolve("good.pub.pem"), pem);
    write(out.resolve("good.jwt"), token(good.getPrivate(), issuer, audience, "bench-user", now, exp) + "\n");
    write(out.resolve("evil.jwt"), token(evil.getPrivate(), issuer, audience, "bench-user", now, exp) + "\n");

    Signature sig = Signature.getInstance("SHA256withRSA");
    List<String> lines = new ArrayList<>(distinct);
    for (int i = 0; i < distinct; i++) lines.add(token(sig, good.getPrivate(), distinctIssuer, audience, "user-" + i, now, exp));
    Files.write(out.resolve("distinct.txt"), lines, StandardCharsets.US_ASCII);

    byte[] opaque = new byte[32];
    new SecureRandom().nextBytes(opaque);
    write(out.resolve("opaque.txt"), "opq_" + B64.encodeToString(opaque) + "\n");
    System.out.println("TokenGen: wrote " + (distinct + 2) + " tokens to " + out + ", valid until epoch " + exp);
  }

  private static String token(PrivateKey key, String iss, String aud, String sub, long iat, long exp) throws Exception {
    return token(Signature.getInstance("SHA256withRSA"), key, iss, aud, sub, iat, exp);
  }

  private static String token(Signature sig, PrivateKey key, String iss, String aud, String sub, long iat, long exp) throws Exception {
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    String payload = "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"" + sub + "\",\"role\":\"user\",\"iat\":" + iat
        + ",\"exp\":" + exp + "}";
    String input = b64(header) + "." + b64(payload);
    sig.initSign(key);
    sig.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(sig.sign());
  }

  private static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path p, String s) throws IOException {
    Files.writeString(p, s, StandardCharsets.US_ASCII);
  }
}
