package gatehouse.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The implementation behind RSA, ECDSA and Ed25519 signatures: the JDK's own providers, or AWS-LC
 * (BoringSSL's descendant) through the Amazon Corretto Crypto Provider. The native one is what
 * keeps a forged token and a signed upstream request cheap (figures in bench/NOTES.md).
 *
 * <p>Chosen once at start-up and passed to what signs and verifies; never installed as a global JCA
 * provider, so TLS, HMAC and digests keep the JDK's implementations (for those short inputs the
 * JDK is as fast, without a JNI call). Immutable and thread-safe; {@link Signature} objects it
 * returns are not, and are made per use.
 */
public final class SignatureEngine {
  /** How {@code crypto.provider} chooses. */
  public enum Choice {
    /** Native when it loads and passes its checks on this machine, else the JDK (with a warning). */
    AUTO,
    /** Only the JDK's providers. */
    JDK,
    /** Native or refuse to start: for deployments that count on its speed. */
    NATIVE
  }

  /** Every algorithm the gateway asks of the native provider; one missing keeps the JDK for all. */
  static final List<String> ALGORITHMS = List.of("SHA256withRSA", "SHA384withRSA", "SHA512withRSA", "RSASSA-PSS",
      "SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA", "SHA256withECDSAinP1363Format", "Ed25519");

  private static final SignatureEngine JDK = new SignatureEngine(null, "jdk", null);

  private final Provider provider;
  private final String description;
  private final String fallbackReason;

  private SignatureEngine(Provider provider, String description, String fallbackReason) {
    this.provider = provider;
    this.description = description;
    this.fallbackReason = fallbackReason;
  }

  /** The JDK's providers only. */
  public static SignatureEngine jdk() {
    return JDK;
  }

  /**
   * Chooses by {@code choice}, loading the native provider unless {@code JDK}.
   *
   * @throws IllegalStateException for {@code NATIVE} when the native provider cannot be used here,
   *     with the reason
   */
  public static SignatureEngine select(Choice choice) {
    return choice == Choice.JDK ? JDK : select(choice, Native.LOADED);
  }

  /** As {@link #select(Choice)}, with the native provider from {@code nativeProvider}: tests break it here. */
  static SignatureEngine select(Choice choice, Supplier<Provider> nativeProvider) {
    return choice == Choice.JDK ? JDK : select(choice, Loaded.of(nativeProvider));
  }

  private static SignatureEngine select(Choice choice, Loaded loaded) {
    if (loaded.problem() == null) {
      Provider p = loaded.provider();
      return new SignatureEngine(p, "native (AWS-LC, " + p.getName() + " " + p.getVersionStr() + ")", null);
    }
    if (choice == Choice.NATIVE) {
      throw new IllegalStateException("native was asked for, but the native provider cannot be used on this machine: " + loaded.problem());
    }
    return new SignatureEngine(null, "jdk", loaded.problem());
  }

  /**
   * Starts loading and checking the native provider on a background thread, so that a later {@link
   * #select} finds it done: in a cold JVM that is slow, and would otherwise come on top of start-up
   * rather than beside it.
   */
  public static void preload() {
    Thread t = new Thread(() -> Objects.requireNonNull(Native.LOADED), "gatehouse-crypto-load");
    t.setDaemon(true);
    t.start();
  }

  /** A provider that passed {@link #check}, or why there is none. */
  private record Loaded(Provider provider, String problem) {
    static Loaded of(Supplier<Provider> source) {
      try {
        Provider p = source.get();
        String problem = check(p);
        return problem == null ? new Loaded(p, null) : new Loaded(null, problem);
      } catch (IllegalStateException e) {
        return new Loaded(null, e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        return new Loaded(null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      }
    }
  }

  /**
   * The native provider, loaded and checked once per process on first use (class initialisation:
   * thread-safe, and a second caller waits for the first). A native library loads once per process
   * anyway; this only keeps the check from running again.
   */
  private static final class Native {
    static final Loaded LOADED = Loaded.of(SignatureEngine::accp);
  }

  private static Provider accp() {
    AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
    Throwable error = p.getLoadingError();
    if (error != null) {
      throw new IllegalStateException("it did not load (" + error.getClass().getSimpleName()
          + (error.getMessage() == null ? "" : ": " + error.getMessage()) + ")", error);
    }
    return p;
  }

  /**
   * Known answers for {@link #check}, made once with the JDK (a throwaway key pair made for this
   * purpose, guarding nothing): a P-256 public key and its SHA256withECDSA signature of {@link
   * #PROBE}; an Ed25519 key pair and its signature of the same, which is deterministic (RFC 8032).
   * Fixed values keep the check at start-up free of key generation, which is slow in a cold JVM.
   */
  private static final byte[] PROBE = "gatehouse crypto check".getBytes(StandardCharsets.US_ASCII);
  private static final String EC_PUBLIC = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDVaMjZcSN1mjk/+gsB+Oh6x4Z4qhAYK+IOdSyb3O18LsAR5UHPSDYiwQvYahx1jnpnSLlPyQE13JyWlp+7kIQA==";
  private static final String EC_SIGNATURE = "MEYCIQDevJ6wSDxuUt07yHfQOhs9ZTJ1Wb5yEz4oyloG8HbaJQIhALaPNZZVPfVTgt+q49FiBW91A4r2AsDkHgvW6uGFfmoh";
  private static final String ED_PRIVATE = "MC4CAQAwBQYDK2VwBCIEIHhUegH5Ui5gYc/rqE4HvtX9kifbBgTnIRBCVQ4bLJwl";
  private static final String ED_PUBLIC = "MCowBQYDK2VwAyEA7Hqot0nfLgD3/6i/gBikhq0Zf33VIc+0EpufwtKwlm4=";
  private static final String ED_SIGNATURE = "67XLYQ74LZ4egZcFodvD8sYbVh4QeNf4w2jnamuJkFwunVfkr3Zts+wD2A42kOkV9dJnJEZHQEe67A2eGZ6nAQ==";

  /**
   * Null when {@code p} offers every algorithm we use and gives the JDK's answers on known
   * signatures: verifies an ECDSA and an Ed25519 signature the JDK made, refuses them on a changed
   * message, and signs Ed25519 to the JDK's exact bytes. Else what is wrong. A provider that would
   * fail tokens, or pass forged ones, at run time is refused here.
   */
  static String check(Provider p) {
    for (String alg : ALGORITHMS) {
      if (p.getService("Signature", alg) == null) return "it has no " + alg;
    }
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      PublicKey ec = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(b64.decode(EC_PUBLIC)));
      PublicKey ed = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(b64.decode(ED_PUBLIC)));
      PrivateKey edPrivate = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(b64.decode(ED_PRIVATE)));
      byte[] changed = PROBE.clone();
      changed[0] ^= 1;
      for (String alg : List.of("SHA256withECDSA", "Ed25519")) {
        PublicKey key = alg.equals("Ed25519") ? ed : ec;
        byte[] sig = b64.decode(alg.equals("Ed25519") ? ED_SIGNATURE : EC_SIGNATURE);
        if (!verify(Signature.getInstance(alg, p), key, PROBE, sig) || verify(Signature.getInstance(alg, p), key, changed, sig)) {
          return alg + " does not verify as the JDK does";
        }
      }
      Signature s = Signature.getInstance("Ed25519", p);
      s.initSign(edPrivate);
      s.update(PROBE);
      if (!Arrays.equals(s.sign(), b64.decode(ED_SIGNATURE))) return "Ed25519 signs other bytes than the JDK";
      return null;
    } catch (GeneralSecurityException e) {
      return "its self-check failed: " + e;
    }
  }

  private static boolean verify(Signature s, PublicKey key, byte[] data, byte[] sig) throws GeneralSecurityException {
    s.initVerify(key);
    s.update(data);
    return s.verify(sig);
  }

  /** A new {@link Signature} for {@code algorithm} (a JCA name such as {@code Ed25519}) from this engine. */
  public Signature signature(String algorithm) throws NoSuchAlgorithmException {
    return provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
  }

  /**
   * {@code key} as this engine's own key object, made once so that each signature check does not
   * convert it again (about a quarter of a native RSA check). RSA and EC keys on a native engine;
   * any other key, and every key on the JDK engine, is returned as it is.
   */
  @SuppressWarnings("unchecked")
  public <K extends PublicKey> K publicKey(K key) throws InvalidKeyException {
    if (provider == null || !(key.getAlgorithm().equals("RSA") || key.getAlgorithm().equals("EC"))) return key;
    try {
      return (K) KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key);
    } catch (NoSuchAlgorithmException | ClassCastException e) {
      return key;
    }
  }

  /** The native JCA provider, for libraries that take one (Nimbus' {@code JCAContext}); empty for the JDK. */
  public Optional<Provider> provider() {
    return Optional.ofNullable(provider);
  }

  /** Whether the native provider is in use; tests choose their native-only cases by it. */
  public boolean isNative() {
    return provider != null;
  }

  /** Why {@code auto} fell back to the JDK, when it did. */
  public Optional<String> fallbackReason() {
    return Optional.ofNullable(fallbackReason);
  }

  /** For the start-up log: {@code jdk} or {@code native (AWS-LC, ...)}. */
  @Override
  public String toString() {
    return description;
  }
}
