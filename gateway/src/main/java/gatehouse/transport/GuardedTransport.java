package gatehouse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's transport {@code delegate}, except that each listening channel it makes starts its
 * pipeline with an {@link AcceptGuard}. Vert.x offers no hook on the listening channel; its
 * transport SPI (public, {@code io.vertx.core.spi.transport}) makes that channel, so this is
 * where one can be added.
 */
final class GuardedTransport implements io.vertx.core.spi.transport.Transport {
  /** {@code chosen}, as Vert.x's builder takes a transport. */
  static io.vertx.core.transport.Transport around(io.vertx.core.transport.Transport chosen, int maxConnections) {
    GuardedTransport guarded = new GuardedTransport(chosen.implementation(), maxConnections);
    return new io.vertx.core.transport.Transport() {
      @Override
      public String name() {
        return chosen.name();
      }

      @Override
      public boolean available() {
        return chosen.available();
      }

      @Override
      public Throwable unavailabilityCause() {
        return chosen.unavailabilityCause();
      }

      @Override
      public io.vertx.core.spi.transport.Transport implementation() {
        return guarded;
      }
    };
  }

  private final io.vertx.core.spi.transport.Transport delegate;
  private final int maxConnections;
  private final Map<java.net.SocketAddress, AcceptGuard.Listener> listeners = new ConcurrentHashMap<>();

  GuardedTransport(io.vertx.core.spi.transport.Transport delegate, int maxConnections) {
    this.delegate = delegate;
    this.maxConnections = maxConnections;
  }

  @Override
  public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
    ChannelFactory<? extends ServerChannel> channels = delegate.serverChannelFactory(domainSocket);
    return () -> {
      ServerChannel listener = channels.newChannel();
      if (listener instanceof NioServerSocketChannel
          && listener.config().getRecvByteBufAllocator() instanceof MaxMessagesRecvByteBufAllocator batch) {
        // NIO accepts up to 16 connections per wake-up and hands them on only after the last, so
        // the guard's stop at the cap would come up to 16 connections late, and those past its
        // margin would be closed at once: accept one at a time, as on io_uring and as epoll's
        // loop, which hands each on as it accepts it, does in effect.
        batch.maxMessagesPerRead(1);
      }
      listener.pipeline().addFirst("gatehouse-accept-guard", new AcceptGuard(maxConnections, address -> listeners.computeIfAbsent(address, a -> new AcceptGuard.Listener())));
      return listener;
    };
  }

  @Override
  public boolean supportsDomainSockets() {
    return delegate.supportsDomainSockets();
  }

  @Override
  public boolean supportFileRegion() {
    return delegate.supportFileRegion();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public java.net.SocketAddress convert(SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public SocketAddress convert(java.net.SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return delegate.ioHandlerFactory();
  }

  @Override
  public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
    return delegate.eventLoopGroup(type, threads, threadFactory, ioRatio);
  }

  @Override
  public DatagramChannel datagramChannel() {
    return delegate.datagramChannel();
  }

  @Override
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    return delegate.channelFactory(domainSocket);
  }

  @Override
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }

  @Override
  public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, connectTimeout, domainSocket, bootstrap);
  }

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
  }
}
