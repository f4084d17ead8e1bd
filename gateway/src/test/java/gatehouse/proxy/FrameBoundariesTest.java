package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link FrameBoundaries} against Netty's WebSocket encoder: frames of every opcode, payload-length
 * form (7 bits, 16, 64) and masking, with RSV bits set as extensions set them, cut into chunks
 * anywhere.
 */
class FrameBoundariesTest {
  record Frame(int kind, int length, int rsv) {}

  @Provide
  Arbitrary<List<Frame>> frames() {
    Arbitrary<Integer> length = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(0, 125)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(126, 65_535)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(65_536, 70_000)));
    return Combinators.combine(Arbitraries.integers().between(0, 4), length, Arbitraries.integers().between(0, 7))
        .as(Frame::new).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 300)
  void everyFrameEndIsFoundWithItsOpcodeWhereverTheChunksAreCut(@ForAll("frames") List<Frame> frames, @ForAll boolean masked,
      @ForAll("cuts") List<Integer> cutSeeds) {
    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(masked));
    ByteBuf wire = Unpooled.buffer();
    List<Integer> ends = new ArrayList<>();
    List<Integer> opcodes = new ArrayList<>();
    for (Frame f : frames) {
      WebSocketFrame frame = frame(f);
      opcodes.add(opcode(frame));
      encoder.writeOutbound(frame);
      for (ByteBuf out = encoder.readOutbound(); out != null; out = encoder.readOutbound()) {
        wire.writeBytes(out);
        out.release();
      }
      ends.add(wire.readableBytes());
    }
    byte[] bytes = new byte[wire.readableBytes()];
    wire.readBytes(bytes);
    TreeSet<Integer> cuts = new TreeSet<>();
    for (int seed : cutSeeds) cuts.add(Math.floorMod(seed, bytes.length + 1));
    cuts.add(bytes.length);

    FrameBoundaries boundaries = new FrameBoundaries();
    List<Integer> found = new ArrayList<>();
    List<Integer> foundOpcodes = new ArrayList<>();
    int start = 0;
    for (int cut : cuts) {
      Buffer chunk = Buffer.buffer(java.util.Arrays.copyOfRange(bytes, start, cut));
      for (int at = boundaries.next(chunk, 0); at >= 0; at = at < chunk.length() ? boundaries.next(chunk, at) : -1) {
        found.add(start + at);
        foundOpcodes.add(boundaries.lastOpcode());
      }
      start = cut;
    }
    assertEquals(ends, found, "frame ends");
    assertEquals(opcodes, foundOpcodes, "opcodes");
    assertTrue(boundaries.atBoundary(), "at a boundary after the last frame");
  }

  @Property(tries = 300)
  void skippingAChunkLeavesTheSameStateAsReadingItFrameByFrame(@ForAll("frames") List<Frame> frames, @ForAll("cuts") List<Integer> cutSeeds) {
    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    ByteBuf wire = Unpooled.buffer();
    for (Frame f : frames) {
      encoder.writeOutbound(frame(f));
      for (ByteBuf out = encoder.readOutbound(); out != null; out = encoder.readOutbound()) {
        wire.writeBytes(out);
        out.release();
      }
    }
    byte[] bytes = new byte[wire.readableBytes()];
    wire.readBytes(bytes);
    int cut = Math.floorMod(cutSeeds.isEmpty() ? 0 : cutSeeds.get(0), bytes.length + 1);
    FrameBoundaries skipped = new FrameBoundaries();
    skipped.skip(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut)));
    FrameBoundaries read = new FrameBoundaries();
    Buffer head = Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut));
    for (int at = 0; at >= 0 && at < head.length(); ) at = read.next(head, at);
    assertEquals(read.atBoundary(), skipped.atBoundary());
    Buffer rest = Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    for (int at = 0; at >= 0 && at < rest.length(); ) {
      at = read.next(rest, at);
      a.add(at);
    }
    for (int at = 0; at >= 0 && at < rest.length(); ) {
      at = skipped.next(rest, at);
      b.add(at);
    }
    assertEquals(a, b);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(12);
  }

  private static WebSocketFrame frame(Frame f) {
    byte[] payload = new byte[f.kind() >= 3 ? Math.min(f.length(), 125) : f.length()];
    java.util.Arrays.fill(payload, (byte) 0x88);
    ByteBuf data = Unpooled.wrappedBuffer(payload);
    return switch (f.kind()) {
      case 0 -> new TextWebSocketFrame(true, f.rsv(), data);
      case 1 -> new BinaryWebSocketFrame(false, f.rsv(), data);
      case 2 -> new ContinuationWebSocketFrame(true, f.rsv(), data);
      case 3 -> new PingWebSocketFrame(data);
      default -> new CloseWebSocketFrame(true, 0, data);
    };
  }

  private static int opcode(WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame) return 0x1;
    if (frame instanceof BinaryWebSocketFrame) return 0x2;
    if (frame instanceof ContinuationWebSocketFrame) return 0x0;
    if (frame instanceof PingWebSocketFrame) return 0x9;
    return Tunnel.CLOSE;
  }
}
