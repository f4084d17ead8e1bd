package gatehouse.pipeline;

import io.vertx.core.MultiMap;

/**
 * What the pipeline may read of a request: its head, never its body.
 *
 * @param method the request method, upper-case as sent
 * @param rawTarget the request-target exactly as on the request line (HTTP/2: {@code :path})
 * @param host the Host header or {@code :authority}; may be null
 * @param headers the request headers; the pipeline never modifies them
 */
public record RequestHead(String method, String rawTarget, String host, MultiMap headers) {}
