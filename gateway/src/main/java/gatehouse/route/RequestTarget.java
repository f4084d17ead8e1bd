package gatehouse.route;

import java.util.Optional;

/**
 * A request target as the gateway and the upstream will both read it.
 *
 * @param path normalised path: starts with {@code /}, unreserved characters decoded, dot segments
 *     removed (RFC 3986 section 5.2.4), other percent-escapes upper-cased; this exact string is
 *     matched against routes and sent upstream (after any prefix rewrite)
 * @param rawQuery the query as received, without the {@code ?}; empty when there is none
 */
public record RequestTarget(String path, Optional<String> rawQuery) {

  /** {@code path}, then {@code ?query} when there is one. */
  public String pathAndQuery() {
    return rawQuery.map(q -> path + "?" + q).orElse(path);
  }
}
