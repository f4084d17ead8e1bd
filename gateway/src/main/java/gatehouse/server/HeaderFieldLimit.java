package gatehouse.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * {@code limits.max_header_fields} on HTTP/1: a request head with more header fields is refused
 * (431) as the field past the limit is read, not once the head is whole.
 *
 * <p>Why as it is read: Netty's decoder turns each field of a head still arriving into objects
 * (name, value, map entry) about 30 times the size of its bytes. Heads of 3,000 five-byte fields,
 * well within {@code max_header_size}, that never end held about 370 KiB of heap each: 600
 * connections sending 15 KB each exhausted a 160 MiB heap and the gateway exited (issue 20).
 * Neither Netty nor Vert.x limits the count (Envoy's {@code max_headers_count}, HAProxy's
 * {@code tune.http.maxhdr} and Apache's {@code LimitRequestFields} do), so this replaces Vert.x's
 * request decoder with {@link CountingDecoder}, the same decoder counting its fields.
 *
 * <p>The replacement must happen before Vert.x's decoder reads a byte, and Vert.x adds it at
 * different times: as it sets a cleartext connection up, once the client's first bytes show it is
 * not HTTP/2 ({@code listen.h2c}), or after the TLS handshake. So {@link #install} puts a {@link
 * Installer} first in the connection's pipeline; once Vert.x has set the connection up, it swaps
 * the decoder or, where the decoder comes later, moves to where Vert.x will add the decoder, just
 * ahead of it, and swaps it on the first bytes it passes on. HTTP/2 counts its fields in {@link
 * GatewayHandler}, as Netty holds a header block's bytes, not its fields, until it is whole.
 *
 * <p>This leans on two of Vert.x's internals, checked by {@code HeaderFieldLimitIT} on each path:
 * the decoder's class and pipeline name, and where Vert.x puts it (before {@code chunkedWriter},
 * else {@code idle}, else {@code handler}).
 */
final class HeaderFieldLimit {
  static final String DECODER = "httpDecoder";
  private static final String INSTALLER = "gatehouse-header-field-limit";

  private HeaderFieldLimit() {}

  /** Has {@code connection}'s HTTP/1 request decoder count fields; run before the connection is registered. */
  static void install(Channel connection, HttpServerOptions options, int maxFields) {
    connection.pipeline().addFirst(INSTALLER, new Installer(options, maxFields));
  }

  /** Replaces Vert.x's own request decoder in {@code pipeline} if it is there; whether it was. */
  private static boolean swap(ChannelPipeline pipeline, HttpServerOptions options, int maxFields) {
    ChannelHandler decoder = pipeline.get(DECODER);
    if (decoder == null || decoder.getClass() != VertxHttpRequestDecoder.class) return false;
    pipeline.replace(DECODER, DECODER, new CountingDecoder(options, maxFields));
    return true;
  }

  /** The handler Vert.x adds its decoder before, as it picks it. */
  private static String anchor(ChannelPipeline pipeline) {
    if (pipeline.get("chunkedWriter") != null) return "chunkedWriter";
    if (pipeline.get("idle") != null) return "idle";
    return "handler";
  }

  /** Swaps the decoder, or waits just ahead of where it will be added; gone once done. */
  private static final class Installer extends ChannelInboundHandlerAdapter {
    private final HttpServerOptions options;
    private final int maxFields;

    Installer(HttpServerOptions options, int maxFields) {
      this.options = options;
      this.maxFields = maxFields;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      // Registered: Vert.x's initializer has run, so a cleartext connection is set up.
      ChannelPipeline pipeline = ctx.pipeline();
      pipeline.remove(this);
      if (!swap(pipeline, options, maxFields)) {
        Installer ahead = new Installer(options, maxFields);
        if (pipeline.get("ssl") != null) {
          // TLS: Vert.x adds its handlers at the end after the handshake; from there this sees clear text.
          pipeline.addLast(INSTALLER, ahead);
        } else if (pipeline.get("handler") != null) {
          // listen.h2c: Vert.x adds its decoder before the anchor once the first bytes show HTTP/1.
          pipeline.addBefore(anchor(pipeline), INSTALLER, ahead);
        }
      }
      ctx.fireChannelRegistered();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // The first bytes past the TLS handshake or the h2c check: the decoder, if HTTP/1, is just ahead.
      ChannelPipeline pipeline = ctx.pipeline();
      swap(pipeline, options, maxFields);
      pipeline.remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  /** Vert.x's request decoder, counting each head's fields (and its trailers'); past the limit, the head fails as too large: 431. */
  static final class CountingDecoder extends VertxHttpRequestDecoder {
    private final int maxFields;
    private int fields;

    CountingDecoder(HttpServerOptions options, int maxFields) {
      super(options);
      this.maxFields = maxFields;
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      fields = 0;
      return super.createMessage(initialLine);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      if (++fields > maxFields) throw new TooLongHttpHeaderException("more than " + maxFields + " header fields");
      return super.splitHeaderName(line, start, length);
    }
  }
}
