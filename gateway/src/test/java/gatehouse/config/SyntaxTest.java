package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyntaxTest {

  @ParameterizedTest
  @CsvSource({"500ms, PT0.5S", "2s, PT2S", "1m, PT1M", "24h, PT24H", "90d, PT2160H", "0s, PT0S"})
  void durationsTakeOneUnit(String text, String iso) {
    assertEquals(Optional.of(Duration.parse(iso)), Syntax.duration(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "1.5s", "-1s", "1 s", "1S", "1min", "1m30s", "s", "9999999999s", "1w"})
  void badDurationsAreRefused(String text) {
    assertEquals(Optional.empty(), Syntax.duration(text));
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "8192, 8192", "8B, 8", "8KiB, 8192", "10MiB, 10485760", "1GiB, 1073741824", "8KB, 8000",
      "10MB, 10000000", "1GB, 1000000000"})
  void sizesAreBytesOrUnits(String text, long bytes) {
    assertEquals(Optional.of(bytes), Syntax.size(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1.5MiB", "10mb", "10 MiB", "1TiB", "KiB", "999999999999999GiB"})
  void badSizesAreRefused(String text) {
    assertEquals(Optional.empty(), Syntax.size(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api", "/api/", "/api/v1/orders", "/a~b", "/a%20b", "/a%C3%A9", "/a:b@c;d=e", "/a.b/..c"})
  void normalisedPathsAreAccepted(String path) {
    assertEquals(Optional.empty(), Syntax.normalPath(path));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "api|must start with '/'",
      "/a//b|must not contain '//'",
      "/a/./b|must not contain '.' or '..' segments (requests are normalised before matching)",
      "/a/..|must not contain '.' or '..' segments (requests are normalised before matching)",
      "/a%2fb|has a bad percent-escape (write two upper-case hex digits after '%')",
      "/a%4|has a bad percent-escape (write two upper-case hex digits after '%')",
      "/%41|must write 'A' instead of '%41' (requests are decoded before matching)",
      "/a%5Cb|contains '%5C', which the gateway refuses in requests, so it could never match",
      "/a%00|contains '%00', which the gateway refuses in requests, so it could never match",
      "/a b|contains ' ', which must be percent-encoded",
      "/a?b|contains '?', which must be percent-encoded",
      "/a#b|contains '#', which must be percent-encoded",
      "/a\\b|contains '\\', which must be percent-encoded",
      "/é|contains '\\u00e9', which must be percent-encoded"})
  void pathsNormalisationWouldChangeAreRefusedWithAReason(String path, String reason) {
    assertEquals(Optional.of(reason), Syntax.normalPath(path));
  }

  @ParameterizedTest
  @CsvSource({"/api, /api, true", "/api, /api/v1, true", "/api/, /api/v1, true", "/api, /apiv1, false",
      "/api/v1, /api, false", "/, /anything, true"})
  void segmentPrefixesAreWholeSegments(String prefix, String path, boolean expected) {
    assertEquals(expected, Syntax.isSegmentPrefix(prefix, path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "[::1]", "::1", "0:0:0:0:0:0:0:1"})
  void loopbackHosts(String host) {
    assertTrue(Syntax.isLoopback(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "128.0.0.1", "10.0.0.1", "[::2]", "::ffff:127.0.0.1", "localhost.example.com",
      "127.0.0.1.nip.io"})
  void nonLoopbackHosts(String host) {
    assertFalse(Syntax.isLoopback(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "10.0.0.0/8", "192.168.1.7/32", "::/0", "::1/128", "fd00::/8", "2001:db8::/32"})
  void validCidrs(String cidr) {
    assertEquals(Optional.empty(), Syntax.cidr(cidr));
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "api.example.com", "*.example.com", "10.0.0.1", "[::1]", "a-b.c"})
  void routeHosts(String host) {
    assertEquals(Optional.empty(), Syntax.routeHost(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "*.", "a..b", "-a.com", "a_b.com", "x.*.com", "api.example.com.:80", "[zz]"})
  void badRouteHosts(String host) {
    assertTrue(Syntax.routeHost(host).isPresent(), host);
  }
}
