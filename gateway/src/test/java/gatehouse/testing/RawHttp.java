package gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A blocking HTTP/1.1 client over a plain socket, for requests a library would not send as written
 * (hop-by-hop headers, odd {@code Connection} values). Runs on the test thread only.
 */
public final class RawHttp implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 20_000;


  public record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    public List<String> headers(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    public Optional<String> header(String name) {
      return headers(name).stream().findFirst();
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final InputStream input;

  public RawHttp(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    input = socket.getInputStream();
  }

  /** Sends {@code head} (lines joined with CRLF, the blank line added) and reads one response. */
  public static Response exchange(int port, String... headLines) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      http.send(String.join("\r\n", headLines) + "\r\n\r\n");
      return http.read(!headLines[0].startsWith("HEAD "));
    }
  }

  /**
   * {@code GET target} on a fresh connection with {@code Host}, {@code Connection: close} and
   * {@code headerLines}; an I/O failure fails the test.
   */
  public static Response get(int port, String target, String... headerLines) {
    StringBuilder head = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close");
    for (String h : headerLines) head.append("\r\n").append(h);
    return send(port, head.toString(), new byte[0]);
  }

  /** Sends {@code head} (CRLF-separated, without the blank line) and {@code body}; reads one response. */
  public static Response send(int port, String head, byte[] body) {
    try (RawHttp http = new RawHttp(port)) {
      http.send(head + "\r\n\r\n");
      http.send(body);
      return http.read(!head.startsWith("HEAD "));
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  public void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads one response; {@code withBody} false for a response to HEAD. */
  public Response read(boolean withBody) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String line = line(); line != null && !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
    }
    Response head = new Response(status, headers, new byte[0]);
    if (!withBody || status == 204 || status == 304 || status / 100 == 1) {
      return head;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Optional<String> length = head.header("Content-Length");
    if (length.isPresent()) {
      body.write(input.readNBytes(Integer.parseInt(length.get())));
    } else if (head.header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false)) {
      for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
          size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
        body.write(input.readNBytes(size));
        line();
      }
      for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
        // trailers are ignored
      }
    } else {
      body.write(input.readAllBytes());
    }
    return new Response(status, headers, body.toByteArray());
  }

  /** Reads exactly {@code n} bytes, as they come: for a connection that no longer speaks HTTP. */
  public byte[] readBytes(int n) throws IOException {
    byte[] bytes = input.readNBytes(n);
    if (bytes.length < n) {
      throw new IOException("connection closed after " + bytes.length + " of " + n + " bytes");
    }
    return bytes;
  }

  /** Whether the server closed the connection (reads until end of stream or timeout). */
  public boolean closedByServer() throws IOException {
    try {
      return input.read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = input.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
