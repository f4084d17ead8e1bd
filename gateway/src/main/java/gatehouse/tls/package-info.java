/**
 * TLS material the gateway uses for its own outgoing connections: trust stores built once from
 * config, never per request.
 */
package gatehouse.tls;
