package gatehouse.server;

/** One dependency's readiness, shown by the admin {@code /ready} endpoint. */
public record Readiness(String name, boolean ready, String detail) {}
