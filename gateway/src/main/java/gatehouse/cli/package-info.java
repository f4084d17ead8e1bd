/**
 * The {@code gatehouse} command line (picocli): {@code run}, {@code validate}, {@code demo}, {@code keys}.
 * Reads arguments and config files; starts the gateway through {@link gatehouse.Gatehouse}.
 */
package gatehouse.cli;
