/**
 * How the event loops reach the kernel. {@link gatehouse.transport.NetworkTransport} (io_uring,
 * epoll or NIO) is chosen once at start-up ({@code runtime.transport}) and makes the Vert.x
 * instance everything else runs on.
 */
package gatehouse.transport;
