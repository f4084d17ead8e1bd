package gatehouse.server;

import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Rejection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.netty.channel.Channel;

/**
 * Error replies for an HTTP/1 connection that has no request whose response could carry them: a
 * head the decoder could not read (Vert.x would answer in the version its decoder made up for it,
 * HTTP/1.0) or one that did not arrive in time. The bytes come from {@link ErrorResponses#http11}
 * and go straight to the connection's channel; the connection closes once they are flushed.
 * Vert.x's public API has no way to write on a connection without a request, so this class, like
 * {@link GatewayInstances}, uses its internals.
 */
final class RawReplies {
  private RawReplies() {}

  /**
   * Writes {@code rejection}'s reply on {@code connection} if it is an HTTP/1 connection, then
   * closes it; any other connection is closed without a reply. Call on the connection's event loop,
   * and only when no byte of a response is under way on it.
   */
  static void refuseAndClose(HttpConnection connection, Rejection rejection, String requestId) {
    ChannelHandlerContext encoder = connection instanceof Http1xServerConnection http1
        ? http1.channel().pipeline().context(HttpResponseEncoder.class) : null;
    if (encoder == null) {
      connection.close();
      return;
    }
    // Written below the response encoder, which takes only HTTP messages.
    encoder.writeAndFlush(Unpooled.wrappedBuffer(ErrorResponses.http11(rejection, requestId)))
        .addListener(f -> connection.close());
  }

  /**
   * {@code connection}'s Netty channel, HTTP/1 or HTTP/2, or null for a connection Vert.x did not
   * build on one. The transport keeps each accepted connection's idleness on it ({@link
   * gatehouse.transport.IdleConnections}).
   */
  static Channel channel(HttpConnection connection) {
    return connection instanceof ConnectionBase base ? base.channel() : null;
  }
}
