package gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/2 with prior knowledge over a plain socket, frames and HPACK literals written exactly as
 * given (a client library would merge, reorder or refuse them). The static methods make one
 * exchange on the calling thread; an instance is a connection held open, whose frames a daemon
 * thread reads (acknowledging SETTINGS and PING, as a peer must) while the caller writes.
 */
public final class RawH2 implements AutoCloseable {
  public static final byte DATA = 0;
  public static final byte HEADERS = 1;
  public static final byte RST_STREAM = 3;
  public static final byte SETTINGS = 4;
  public static final byte PING = 6;
  public static final byte GOAWAY = 7;
  public static final byte CONTINUATION = 9;
  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;

  private final Socket socket;
  private final OutputStream out;
  private volatile boolean closed;
  private volatile boolean goaway;
  private volatile long goAwayError = -1;
  private volatile int goAwayLastStream = -1;
  private final AtomicLong ends = new AtomicLong();
  private volatile long maxConcurrentStreams = Long.MAX_VALUE;
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong pingAcks = new AtomicLong();

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /** A connection to 127.0.0.1:{@code port} that has sent the preface and an empty SETTINGS. */
  public static RawH2 open(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    RawH2 h2 = new RawH2(socket);
    ByteArrayOutputStream start = new ByteArrayOutputStream();
    start.writeBytes(PREFACE);
    frame(start, SETTINGS, 0, 0, new byte[0]);
    h2.write(start.toByteArray());
    Thread reader = new Thread(h2::readFrames, "raw-h2-reader");
    reader.setDaemon(true);
    reader.start();
    return h2;
  }

  /** Writes {@code bytes} (whole frames) at once; an I/O failure marks the connection closed and is thrown. */
  public synchronized void write(byte[] bytes) throws IOException {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      closed = true;
      throw e;
    }
  }

  /** Writes one frame. */
  public void send(byte type, int flags, int stream, byte[] payload) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(9 + payload.length);
    frame(bytes, type, flags, stream, payload);
    write(bytes.toByteArray());
  }

  /** Whether the peer closed the connection, sent GOAWAY, or a write failed. */
  public boolean closed() {
    return closed || goaway;
  }

  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS, once its SETTINGS arrived; unlimited before. */
  public long maxConcurrentStreams() {
    return maxConcurrentStreams;
  }

  /** PING acknowledgements received so far: the peer read every frame sent before the PING. */
  public long pingAcks() {
    return pingAcks.get();
  }

  /** The error code of the GOAWAY received; -1 before one. */
  public long goAwayError() {
    return goAwayError;
  }

  /** The last stream id of the GOAWAY received: the peer took no stream above it; -1 before one. */
  public int goAwayLastStream() {
    return goAwayLastStream;
  }

  /** Responses received whole so far: HEADERS or DATA frames that ended their stream. */
  public long endsReceived() {
    return ends.get();
  }

  /** RST_STREAM frames received so far. */
  public long resetsReceived() {
    return resets.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void readFrames() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt();
        byte[] payload = in.readNBytes(length);
        if (type == SETTINGS && (flags & 1) == 0) {
          for (int i = 0; i + 6 <= payload.length; i += 6) {
            int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
            long value = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16) | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
            if (id == SETTINGS_MAX_CONCURRENT_STREAMS) maxConcurrentStreams = value;
          }
          send(SETTINGS, 1, 0, new byte[0]);
        } else if (type == PING && (flags & 1) == 0) {
          send(PING, 1, 0, payload);
        } else if (type == PING) {
          pingAcks.incrementAndGet();
        } else if (type == GOAWAY) {
          if (payload.length >= 8) {
            goAwayLastStream = ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
            goAwayError = ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
          }
          goaway = true;
        } else if ((type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
          ends.incrementAndGet();
        } else if (type == RST_STREAM) {
          resets.incrementAndGet();
        }
      }
    } catch (IOException e) {
      closed = true;
    }
  }

  /**
   * One GET with {@code fields} on a new connection: {@code forwarded} when the body is the
   * upstream's echo, the {@code error} code when it is the gateway's error reply, {@code reset},
   * {@code goaway} or {@code closed} when the stream or connection ended without one, {@code
   * ended} when a HEADERS frame ended the stream.
   */
  public static String get(int port, List<String[]> fields) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(PREFACE);
      frame(out, SETTINGS, 0, 0, new byte[0]);
      frame(out, HEADERS, END_STREAM | END_HEADERS, 1, block(fields));
      socket.getOutputStream().write(out.toByteArray());
      return answer(socket, 1);
    }
  }

  /**
   * On one connection: {@code count} GETs to {@code prefix + i}, each followed at once by
   * RST_STREAM (CANCEL), then one GET to {@code prefix + "last"}; returns what {@link #get}
   * would for that last one.
   */
  public static String resetEach(int port, String prefix, int count) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(PREFACE);
      frame(out, SETTINGS, 0, 0, new byte[0]);
      for (int i = 0; i < count; i++) {
        frame(out, HEADERS, END_STREAM | END_HEADERS, 1 + 2 * i, request("GET", prefix + i));
        frame(out, RST_STREAM, 0, 1 + 2 * i, cancel());
      }
      int lastStream = 1 + 2 * count;
      frame(out, HEADERS, END_STREAM | END_HEADERS, lastStream, request("GET", prefix + "last"));
      socket.getOutputStream().write(out.toByteArray());
      return answer(socket, lastStream);
    }
  }

  /** What became of stream {@code id}: see {@link #get}. */
  private static String answer(Socket socket, int id) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int length;
      try {
        length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
      } catch (java.io.EOFException | java.net.SocketException e) {
        return "closed";
      }
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (type == SETTINGS && (flags & 1) == 0) {
        ByteArrayOutputStream ack = new ByteArrayOutputStream();
        frame(ack, SETTINGS, 1, 0, new byte[0]);
        socket.getOutputStream().write(ack.toByteArray());
      } else if (type == GOAWAY) {
        return "goaway";
      } else if (stream == id && type == HEADERS && (flags & 1) != 0) {
        return "ended";
      } else if (stream == id && type == RST_STREAM) {
        return "reset";
      } else if (stream == id && type == DATA) {
        body.writeBytes(payload);
        if ((flags & 1) != 0) {
          io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(body.toString(StandardCharsets.UTF_8));
          return json.containsKey("error") ? json.getString("error") : "forwarded";
        }
      }
    }
  }

  /** The RST_STREAM payload of error code CANCEL (RFC 9113 section 7). */
  public static byte[] cancel() {
    return new byte[] {0, 0, 0, 8};
  }

  /** A header block for {@code method path} on http://gw.example, then {@code extra} name/value pairs. */
  public static byte[] request(String method, String path, String... extra) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    String[] pseudo = {":method", method, ":scheme", "http", ":path", path, ":authority", "gw.example"};
    for (int i = 0; i < pseudo.length; i += 2) field(block, pseudo[i], pseudo[i + 1]);
    for (int i = 0; i + 1 < extra.length; i += 2) field(block, extra[i], extra[i + 1]);
    return block.toByteArray();
  }

  /** A header block of {@code fields} (name, value pairs), each a literal without indexing. */
  public static byte[] block(List<String[]> fields) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (String[] f : fields) field(block, f[0], f[1]);
    return block.toByteArray();
  }

  /** One field as a literal without indexing, new name (RFC 7541 section 6.2.2). */
  public static void field(ByteArrayOutputStream block, String name, String value) {
    block.write(0x00);
    literal(block, name);
    literal(block, value);
  }

  private static void literal(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    int length = bytes.length;
    if (length < 127) {
      out.write(length);
    } else {
      out.write(127);
      for (length -= 127; length >= 128; length >>>= 7) out.write((length & 0x7f) | 0x80);
      out.write(length);
    }
    out.writeBytes(bytes);
  }

  /** Appends one frame to {@code out} (RFC 9113 section 4.1). */
  public static void frame(ByteArrayOutputStream out, byte type, int flags, int stream, byte[] payload) {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
  }
}
