import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An RFC 7662 introspection endpoint stand-in for bench/run.sh, on 127.0.0.1 only:
 *   java IntrospectStub.java PORT ACTIVE_TOKEN_FILE SUB EXP_EPOCH
 * POST /introspect with form field token: {"active":true,...} only for the token in
 * ACTIVE_TOKEN_FILE, {"active":false} for anything else. GET /calls answers the number of
 * introspection calls so far (the gateway's cache should keep it small).
 */
public final class IntrospectStub {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String active = Files.readString(Path.of(args[1])).trim();
    String sub = args[2];
    long exp = Long.parseLong(args[3]);
    AtomicLong calls = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext("/introspect", ex -> {
      calls.incrementAndGet();
      String token = null;
      try (InputStream in = ex.getRequestBody()) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        for (String pair : buf.toString(StandardCharsets.US_ASCII).split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).equals("token")) token = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
      String body = active.equals(token)
          ? "{\"active\":true,\"sub\":\"" + sub + "\",\"scope\":\"bench\",\"token_type\":\"access_token\",\"exp\":" + exp + "}"
          : "{\"active\":false}";
      byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.createContext("/calls", ex -> {
      byte[] bytes = (calls.get() + "\n").getBytes(StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    System.out.println("IntrospectStub: listening on 127.0.0.1:" + port);
  }
}
