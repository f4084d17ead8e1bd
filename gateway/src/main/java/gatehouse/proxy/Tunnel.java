package gatehouse.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.SecureRandom;
import java.util.function.LongConsumer;

/**
 * A WebSocket spliced byte for byte between the client's connection and the upstream's, whose
 * frame boundaries are tracked in both directions ({@link FrameBoundaries}) so that, when the
 * gateway listener shuts down (Vert.x's shutdown event on the client's connection), each side is
 * sent a close frame with status 1001, Going Away (RFC 6455 section 7.4.1), between two frames.
 * Nothing else is sent after it (section 5.5.1): the rest of what the upstream sends is dropped,
 * and what the client sends is read only for its own close frame, after which the gateway closes
 * the client's connection (section 7.1.1: the server closes first). A side that never finishes its
 * frame, or a client that never answers, is cut when the shutdown timeout closes the connection.
 * Confined to the event loop both connections live on.
 */
final class Tunnel {
  /** Opcode of a close frame (RFC 6455 section 5.5.1). */
  static final int CLOSE = 0x8;
  /** A close frame with status 1001, unmasked, as a server sends it. */
  static final byte[] GOING_AWAY = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};

  private final NetSocket client;
  private final NetSocket upstream;
  private final FrameBoundaries fromClient = new FrameBoundaries();
  private final FrameBoundaries fromUpstream = new FrameBoundaries();
  private boolean goingAway;
  private boolean closeSentToClient;
  private boolean closeSentToUpstream;
  private boolean clientClosing;

  private Tunnel(NetSocket client, NetSocket upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  /**
   * Relays between {@code client} and {@code upstream} with back-pressure, counting the bytes each
   * sends; the caller handles their closing. Call with {@code upstream} paused; it is resumed.
   */
  static void splice(NetSocket client, NetSocket upstream, LongConsumer clientBytes, LongConsumer upstreamBytes) {
    Tunnel tunnel = new Tunnel(client, upstream);
    client.handler(chunk -> {
      clientBytes.accept(chunk.length());
      tunnel.fromClient(chunk);
    });
    upstream.handler(chunk -> {
      upstreamBytes.accept(chunk.length());
      tunnel.fromUpstream(chunk);
    });
    client.shutdownHandler(v -> tunnel.goAway());
    upstream.resume();
  }

  /** The listener is shutting down: each side gets its close frame at its next frame boundary. */
  void goAway() {
    if (goingAway) return;
    goingAway = true;
    if (fromUpstream.atBoundary()) closeClientSide();
    if (fromClient.atBoundary()) closeUpstreamSide();
  }

  private void fromClient(Buffer chunk) {
    if (!goingAway) {
      fromClient.skip(chunk);
      relay(chunk, client, upstream);
      return;
    }
    int at = 0;
    if (!closeSentToUpstream) {
      at = fromClient.next(chunk, 0);
      if (at < 0) {
        relay(chunk, client, upstream);
        return;
      }
      relay(chunk.slice(0, at), client, upstream);
      if (fromClient.lastOpcode() == CLOSE) clientClosing = true;
      closeUpstreamSide();
    }
    while (at >= 0 && at < chunk.length()) {
      at = fromClient.next(chunk, at);
      if (at >= 0 && fromClient.lastOpcode() == CLOSE) clientClosing = true;
    }
    endIfClosed();
  }

  private void fromUpstream(Buffer chunk) {
    if (!goingAway) {
      fromUpstream.skip(chunk);
      relay(chunk, upstream, client);
      return;
    }
    if (closeSentToClient) return;
    int at = fromUpstream.next(chunk, 0);
    if (at < 0) {
      relay(chunk, upstream, client);
      return;
    }
    relay(chunk.slice(0, at), upstream, client);
    closeClientSide();
  }

  private void closeClientSide() {
    closeSentToClient = true;
    client.write(Buffer.buffer(GOING_AWAY));
    endIfClosed();
  }

  /** A client's frames are masked (RFC 6455 section 5.3), so the gateway masks its own, as the client it stands in for. */
  private void closeUpstreamSide() {
    closeSentToUpstream = true;
    byte[] key = new byte[4];
    new SecureRandom().nextBytes(key);
    upstream.write(Buffer.buffer(new byte[] {(byte) 0x88, (byte) 0x82, key[0], key[1], key[2], key[3],
        (byte) (GOING_AWAY[2] ^ key[0]), (byte) (GOING_AWAY[3] ^ key[1])}));
  }

  /** Both close frames crossed: the server side (the gateway, to its client) closes the connection. */
  private void endIfClosed() {
    if (closeSentToClient && clientClosing) client.close();
  }

  private static void relay(Buffer chunk, NetSocket from, NetSocket to) {
    if (chunk.length() == 0) return;
    to.write(chunk);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }
}
