package gatehouse.server;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 16 hex digits, unique enough to find one request in the logs; not a secret. */
final class RequestIds {
  private static final HexFormat HEX = HexFormat.of();

  String next() {
    return HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
  }
}
