/**
 * Stage 7: forwards an admitted request to its upstream and relays the answer, streaming both ways.
 * Reads the client's {@code HttpServerRequest} and a {@link gatehouse.proxy.ProxyRequest} built by
 * the pipeline (with stage 6's {@link gatehouse.identity.RequestSigner}); returns a {@link gatehouse.proxy.Proxied} value and never writes an error reply.
 */
package gatehouse.proxy;
