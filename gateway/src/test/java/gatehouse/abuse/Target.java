package gatehouse.abuse;

/**
 * The gateway under attack: its port (HTTP/1.1 and cleartext HTTP/2 with prior knowledge) and the
 * paths of the suite's routes (see {@link GatewayChild#CONFIG_ROUTES}).
 */
public record Target(int port) {
  /** A public route on the attacked upstream. */
  public static final String ATTACK = "/target/attack/";
  /** A public route on the attacked upstream whose endpoint never answers; {@code max_concurrent} bounds it. */
  public static final String HANG = "/target/hang/";
  /** A public route on the attacked upstream for uploads; {@code max_concurrent} bounds it. */
  public static final String UPLOAD = "/target/upload/";
  /** A route on the attacked upstream that needs a JWT. */
  public static final String JWT = "/target/jwt/";
  /** A route on the attacked upstream that needs an API key. */
  public static final String API_KEY = "/target/key/";
  /** The canary's route on the attacked upstream. */
  public static final String CANARY_SAME = "/target/canary";
  /** The canary's route on the other upstream, which no attack targets. */
  public static final String CANARY_OTHER = "/other/canary";
}
