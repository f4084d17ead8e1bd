package gatehouse.config;

/**
 * A listening socket. {@code listen} defaults to {@code 0.0.0.0:8080}, {@code admin} to
 * {@code 127.0.0.1:9901}. Port 0 picks a free port (tests).
 */
public record ListenerConfig(String host, int port) {}
