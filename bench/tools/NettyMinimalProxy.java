import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A REFERENCE POINT FOR bench/run.sh ONLY. THIS IS NOT PART OF GATEHOUSE, and not a usable proxy.
 *
 * <p>It shows what an HTTP reverse proxy costs on raw Netty 4.2 (the layer under Vert.x, so under
 * Gatehouse) when it does nothing else: no authentication, no logging, no limits or timeouts, no
 * routing, no forwarding headers, no metrics. The benchmark's "reference: minimal Netty proxy" row
 * measures it next to Gatehouse and the minimal Vert.x proxy, so the table separates the cost of
 * the I/O layer, of the HTTP framework and of Gatehouse's own work.
 *
 * <p>Run with the JDK's single-file source launcher, against the Gatehouse jar (which holds Netty):
 *
 * <pre>
 *   java -cp gateway/target/gatehouse.jar bench/tools/NettyMinimalProxy.java LISTEN_PORT UPSTREAM_PORT
 * </pre>
 *
 * <p>It listens on 127.0.0.1:LISTEN_PORT with one event loop per core (io_uring when the kernel
 * allows it, else epoll, else NIO: the order Gatehouse's {@code runtime.transport: auto} uses) and
 * relays each request to 127.0.0.1:UPSTREAM_PORT, message by message ({@code HttpServerCodec} in,
 * {@code HttpClientCodec} out, no aggregation): method, URI and headers, minus hop-by-hop headers
 * and those named in {@code Connection}; {@code Host} becomes the upstream's. Status, headers
 * (minus hop-by-hop) and body come back the same way; bodies are re-framed (chunked when the length
 * is not known). Each event loop keeps its own pool of idle keep-alive upstream connections (at
 * most 64). A client connection has one exchange in flight at a time: pipelined requests wait in a
 * queue. Writes are flow-controlled both ways by the channels' writability. An upstream that fails
 * before the response head is a 502; after it, the client connection is closed.
 */
public final class NettyMinimalProxy {
  private static final String UPSTREAM_HOST = "127.0.0.1";
  private static final int MAX_IDLE_PER_LOOP = 64;
  private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

  private static int upstreamPort;
  private static String upstreamAuthority;
  private static Class<? extends Channel> clientChannel;
  /** Idle upstream connections of the current event loop. */
  private static final FastThreadLocal<ArrayDeque<Channel>> IDLE = new FastThreadLocal<>() {
    @Override
    protected ArrayDeque<Channel> initialValue() {
      return new ArrayDeque<>();
    }
  };

  private NettyMinimalProxy() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: NettyMinimalProxy LISTEN_PORT UPSTREAM_PORT");
      System.exit(2);
    }
    int listen = Integer.parseInt(args[0]);
    upstreamPort = Integer.parseInt(args[1]);
    upstreamAuthority = UPSTREAM_HOST + ":" + upstreamPort;
    int cores = Runtime.getRuntime().availableProcessors();
    String transport;
    IoHandlerFactory io;
    Class<? extends ServerChannel> serverChannel;
    if (IoUring.isAvailable()) {
      transport = "io_uring";
      io = IoUringIoHandler.newFactory();
      serverChannel = IoUringServerSocketChannel.class;
      clientChannel = IoUringSocketChannel.class;
    } else if (Epoll.isAvailable()) {
      transport = "epoll";
      io = EpollIoHandler.newFactory();
      serverChannel = EpollServerSocketChannel.class;
      clientChannel = EpollSocketChannel.class;
    } else {
      transport = "nio";
      io = NioIoHandler.newFactory();
      serverChannel = NioServerSocketChannel.class;
      clientChannel = NioSocketChannel.class;
    }
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(cores, io);
    new ServerBootstrap().group(loops).channel(serverChannel)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new Front());
          }
        })
        .bind(UPSTREAM_HOST, listen).sync();
    System.out.println("NettyMinimalProxy: listening on 127.0.0.1:" + listen + ", upstream " + upstreamAuthority + ", "
        + cores + " event loops, transport " + transport);
  }

  /** Removes hop-by-hop headers and the ones named in Connection. */
  private static void strip(HttpHeaders headers) {
    for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : connection.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) headers.remove(name);
      }
    }
    for (String name : HOP_BY_HOP) headers.remove(name);
  }

  /** One client connection: at most one exchange in flight, bound to one upstream connection. */
  static final class Front extends ChannelInboundHandlerAdapter {
    private Channel client;
    private Up up;                  // the upstream of the exchange in flight, once connected
    private List<Object> pending;   // messages of the exchange in flight while its upstream connects
    private final ArrayDeque<Object> queued = new ArrayDeque<>(); // pipelined requests
    private boolean inFlight;
    private boolean requestComplete;
    private boolean keepAlive;
    private boolean head;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      client = ctx.channel();
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!queued.isEmpty() || (inFlight && requestComplete)) {
        queued.add(msg);
      } else {
        handle(msg);
      }
    }

    private void handle(Object msg) {
      if (msg instanceof HttpRequest req) {
        if (inFlight || !req.decoderResult().isSuccess()) {
          ReferenceCountUtil.release(msg);
          answerAndClose(HttpResponseStatus.BAD_REQUEST);
          return;
        }
        inFlight = true;
        requestComplete = false;
        keepAlive = HttpUtil.isKeepAlive(req);
        head = req.method().equals(HttpMethod.HEAD);
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        strip(req.headers());
        if (chunked) {
          req.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
          HttpUtil.setTransferEncodingChunked(req, true);
        }
        req.headers().set(HttpHeaderNames.HOST, upstreamAuthority);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        Channel idle = takeIdle();
        if (idle != null) {
          bind(idle.pipeline().get(Up.class));
        } else {
          pending = new ArrayList<>();
          connect();
        }
      } else if (!inFlight) {
        ReferenceCountUtil.release(msg); // the rest of a request already answered
        return;
      }
      if (msg instanceof LastHttpContent) requestComplete = true;
      if (pending != null) {
        pending.add(msg);
      } else if (up != null) {
        up.channel.write(msg);
        if (!up.channel.isWritable()) client.config().setAutoRead(false);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private static Channel takeIdle() {
      ArrayDeque<Channel> idle = IDLE.get();
      for (Channel ch = idle.pollFirst(); ch != null; ch = idle.pollFirst()) {
        if (ch.isActive()) return ch;
      }
      return null;
    }

    private void connect() {
      new Bootstrap().group(client.eventLoop()).channel(clientChannel)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new Up());
            }
          })
          .connect(UPSTREAM_HOST, upstreamPort).addListener((ChannelFutureListener) f -> {
            List<Object> messages = pending;
            pending = null;
            if (!f.isSuccess() || !client.isActive()) {
              if (messages != null) messages.forEach(ReferenceCountUtil::release);
              f.channel().close();
              abandon();
              if (client.isActive()) answerAndClose(HttpResponseStatus.BAD_GATEWAY);
              return;
            }
            bind(f.channel().pipeline().get(Up.class));
            for (Object m : messages) up.channel.write(m);
            up.channel.flush();
            if (!up.channel.isWritable()) client.config().setAutoRead(false);
          });
    }

    private void bind(Up u) {
      up = u;
      u.front = this;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (up != null) up.channel.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (up != null) up.channel.config().setAutoRead(client.isWritable());
      ctx.fireChannelWritabilityChanged();
    }

    /** The upstream has sent the whole response: pool (or close) it, then serve what is queued. */
    void responseDone(boolean upstreamReusable) {
      if (!requestComplete) {
        // The upstream answered before the whole request body was sent: neither connection can
        // carry another exchange.
        upstreamReusable = false;
        keepAlive = false;
      }
      Up u = up;
      up = null;
      u.front = null;
      u.channel.config().setAutoRead(true);
      client.config().setAutoRead(true);
      ArrayDeque<Channel> idle = IDLE.get();
      if (upstreamReusable && u.channel.isActive() && idle.size() < MAX_IDLE_PER_LOOP) {
        idle.addFirst(u.channel);
      } else {
        u.channel.close();
      }
      inFlight = false;
      if (!keepAlive) {
        client.flush();
        client.close();
        return;
      }
      while (!queued.isEmpty() && !(inFlight && requestComplete) && client.isActive()) handle(queued.poll());
      if (up != null) up.channel.flush();
    }

    /** The upstream connection failed mid-exchange. */
    void upstreamGone(boolean responseStarted) {
      up = null;
      abandon();
      if (responseStarted) {
        client.close();
      } else {
        answerAndClose(HttpResponseStatus.BAD_GATEWAY);
      }
    }

    /** Ends the exchange in flight without a response from upstream; the client connection closes. */
    private void abandon() {
      inFlight = false;
      keepAlive = false;
      queued.forEach(ReferenceCountUtil::release);
      queued.clear();
    }

    private void answerAndClose(HttpResponseStatus status) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      client.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (pending != null) pending.forEach(ReferenceCountUtil::release);
      pending = null;
      queued.forEach(ReferenceCountUtil::release);
      queued.clear();
      if (up != null) {
        up.front = null;
        up.channel.close(); // mid-exchange: this connection cannot carry another request
        up = null;
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** One upstream connection: relays the response of the exchange it is bound to. */
  static final class Up extends ChannelInboundHandlerAdapter {
    Channel channel;
    Front front;
    private boolean informational; // a 1xx response: its end is not the end of the exchange
    private boolean responseStarted;
    private boolean reusable;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Front f = front;
      if (f == null) { // nothing was asked: an idle connection cannot be trusted any more
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      if (msg instanceof HttpResponse r) {
        int code = r.status().code();
        informational = code < 200 && code != 101;
        if (!informational) {
          responseStarted = true;
          reusable = HttpUtil.isKeepAlive(r);
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        strip(r.headers());
        boolean bodyless = informational || f.head || code == 204 || code == 304;
        if (!bodyless && (chunked || !r.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
          r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
          HttpUtil.setTransferEncodingChunked(r, true);
        }
        if (!informational && !f.keepAlive) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      f.client.write(msg);
      if (msg instanceof LastHttpContent) {
        if (informational) {
          informational = false;
        } else {
          f.client.flush();
          responseStarted = false;
          f.responseDone(reusable);
          return;
        }
      }
      if (!f.client.isWritable()) channel.config().setAutoRead(false);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Front f = front;
      if (f != null) f.client.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Front f = front;
      if (f != null) f.client.config().setAutoRead(channel.isWritable());
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      IDLE.get().remove(channel);
      Front f = front;
      front = null;
      if (f != null) f.upstreamGone(responseStarted);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
