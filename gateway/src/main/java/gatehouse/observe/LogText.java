package gatehouse.observe;

/**
 * A log message that can write itself into the line being built, instead of first becoming a
 * String of its own: {@link LineEncoder} asks for it when it is the only argument of {@code "{}"}.
 * Its {@code toString()} must give the same text, for every other appender.
 */
interface LogText {
  void appendTo(StringBuilder out);
}
