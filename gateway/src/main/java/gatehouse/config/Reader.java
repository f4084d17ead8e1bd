package gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed reads of single nodes. Every method returns empty when the value is unusable, after
 * reporting why at {@code path}; {@link Node.Invalid} is skipped silently (already reported).
 */
final class Reader {
  final Problems problems;

  Reader(Problems problems) {
    this.problems = problems;
  }

  Optional<Node.Scalar> scalar(Node node, String path) {
    return scalar(node, path, "a string");
  }

  private Optional<Node.Scalar> scalar(Node node, String path, String expected) {
    if (node instanceof Node.Scalar s) return Optional.of(s);
    wrongType(node, path, expected);
    return Optional.empty();
  }

  /** A non-empty string. */
  Optional<String> text(Node node, String path) {
    Optional<Node.Scalar> s = scalar(node, path);
    if (s.isPresent() && s.get().text().isEmpty()) {
      problems.add(node, path, "must not be empty");
      return Optional.empty();
    }
    return s.map(Node.Scalar::text);
  }

  Optional<Integer> integer(Node node, String path, int min, int max) {
    Optional<Node.Scalar> s = scalar(node, path, "a whole number");
    if (s.isEmpty()) return Optional.empty();
    String t = s.get().text();
    if (t.matches("-?\\d{1,10}")) {
      long v = Long.parseLong(t);
      if (v >= min && v <= max) return Optional.of((int) v);
      problems.add(node, path, "must be between " + min + " and " + max + ", got " + s.get().shown());
      return Optional.empty();
    }
    problems.add(node, path, "expected a whole number, got " + s.get().shown());
    return Optional.empty();
  }

  Optional<Boolean> bool(Node node, String path) {
    Optional<Node.Scalar> s = scalar(node, path, "true or false");
    if (s.isEmpty()) return Optional.empty();
    switch (s.get().text()) {
      case "true", "True", "TRUE":
        return Optional.of(true);
      case "false", "False", "FALSE":
        return Optional.of(false);
      default:
        problems.add(node, path, "expected true or false, got " + s.get().shown());
        return Optional.empty();
    }
  }

  /** {@code positive}: zero is refused too (a timeout of zero would fail every request). */
  Optional<Duration> duration(Node node, String path, boolean positive) {
    Optional<Node.Scalar> s = scalar(node, path, "a duration");
    if (s.isEmpty()) return Optional.empty();
    Optional<Duration> d = Syntax.duration(s.get().text());
    if (d.isEmpty()) {
      problems.add(node, path, "invalid duration " + s.get().shown() + " (expected " + Syntax.DURATION_FORMS + ")");
    } else if (positive && d.get().isZero()) {
      problems.add(node, path, "must be more than 0");
      return Optional.empty();
    }
    return d;
  }

  Optional<Long> size(Node node, String path, long min, long max) {
    Optional<Node.Scalar> s = scalar(node, path, "a size");
    if (s.isEmpty()) return Optional.empty();
    Optional<Long> n = Syntax.size(s.get().text());
    if (n.isEmpty()) {
      problems.add(node, path, "invalid size " + s.get().shown() + " (expected " + Syntax.SIZE_FORMS + ")");
    } else if (n.get() < min || n.get() > max) {
      problems.add(node, path, "must be between " + min + " and " + max + " bytes, got " + s.get().shown());
      return Optional.empty();
    }
    return n;
  }

  Optional<Node.Mapping> mapping(Node node, String path) {
    if (node instanceof Node.Mapping m) return Optional.of(m);
    wrongType(node, path, "a mapping");
    return Optional.empty();
  }

  Optional<List<Node>> list(Node node, String path) {
    if (node instanceof Node.Sequence s) return Optional.of(s.items());
    wrongType(node, path, "a list");
    return Optional.empty();
  }

  /** A list of non-empty strings; bad items are reported and left out. */
  Optional<List<String>> texts(Node node, String path) {
    Optional<List<Node>> items = list(node, path);
    if (items.isEmpty()) return Optional.empty();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.get().size(); i++) {
      text(items.get().get(i), path + "[" + i + "]").ifPresent(out::add);
    }
    return Optional.of(out);
  }

  /** A mapping that may hold only the keys {@code shape} declares; unknown keys are reported. */
  Optional<Fields> fields(Node node, String path, Shape.Obj shape) {
    return mapping(node, path).map(m -> new Fields(this, m, path, shape));
  }

  /** How a value is quoted in messages: see {@link Node.Scalar#shown()}. */
  static String shown(Node node) {
    return node instanceof Node.Scalar s ? s.shown() : node.kind();
  }

  private void wrongType(Node node, String path, String expected) {
    if (node instanceof Node.Invalid) return;
    problems.add(node, path, "expected " + expected + ", got " + node.kind());
  }

  /**
   * Why {@code s} is not an https URL with a host (plain http allowed only to a loopback host, for
   * {@code whyNotPlainHttp}), or has user info or a fragment; empty when it is fine.
   */
  static Optional<String> secureUrlProblem(Node.Scalar s, String whyNotPlainHttp) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(s.text());
    } catch (java.net.URISyntaxException e) {
      return Optional.of(s.shown() + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
      return Optional.of(s.shown() + " must be an https:// URL with a host");
    } else if (uri.getRawUserInfo() != null) {
      return Optional.of("must not contain user info (credentials in a URL end up in logs)");
    } else if (uri.getRawFragment() != null) {
      return Optional.of(s.shown() + " must not have a fragment");
    } else if (scheme.equals("http") && !Syntax.isLoopback(uri.getHost())) {
      return Optional.of(s.shown() + " must use https: plain http is allowed only to a loopback host"
          + " (127.0.0.0/8, ::1, localhost), because " + whyNotPlainHttp);
    }
    return Optional.empty();
  }

  /**
   * What {@code parse} makes of a file or value the key at {@code node} names, or empty after
   * reporting, at that key, the {@link IllegalArgumentException} or {@link IllegalStateException}
   * that says why it cannot be used.
   */
  <T> Optional<T> parsed(Node node, String path, java.util.function.Supplier<T> parse) {
    try {
      return Optional.of(parse.get());
    } catch (IllegalArgumentException | IllegalStateException e) {
      problems.add(node, path, e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code s} as a URL that passes {@link #secureUrlProblem}, or empty after reporting why not. */
  Optional<java.net.URI> secureUrl(Node.Scalar s, String path, String whyNotPlainHttp) {
    Optional<String> problem = secureUrlProblem(s, whyNotPlainHttp);
    problem.ifPresent(why -> problems.add(s, path, why));
    return problem.isEmpty() ? Optional.of(java.net.URI.create(s.text())) : Optional.empty();
  }

  /**
   * {@code text} resolved against {@code baseDir} as a readable regular file, or empty after
   * reporting why not. Messages show the resolved path, or the value as written when the
   * environment contributed to it.
   */
  Optional<java.nio.file.Path> readableFile(Node node, String path, String text, java.nio.file.Path baseDir) {
    java.nio.file.Path file;
    try {
      file = baseDir.resolve(text).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      problems.add(node, path, shown(node) + " is not a valid file path");
      return Optional.empty();
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      problems.add(node, path, "file not found: " + describe(node, file, baseDir));
      return Optional.empty();
    }
    if (!java.nio.file.Files.isReadable(file)) {
      problems.add(node, path, "file is not readable: " + describe(node, file, baseDir));
      return Optional.empty();
    }
    return Optional.of(file);
  }

  /** As {@link #readableFile}, and the file must hold at least one PEM certificate. */
  Optional<java.nio.file.Path> certificateFile(Node node, String path, String text, java.nio.file.Path baseDir) {
    Optional<java.nio.file.Path> file = readableFile(node, path, text, baseDir);
    if (file.isEmpty()) return file;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file.get())) {
      if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        problems.add(node, path, "holds no PEM certificate: " + describe(node, file.get(), baseDir));
        return Optional.empty();
      }
    } catch (java.io.IOException | java.security.cert.CertificateException e) {
      problems.add(node, path, "is not a PEM certificate file: " + describe(node, file.get(), baseDir));
      return Optional.empty();
    }
    return file;
  }

  /** The resolved path, unless the environment contributed to it (then the value as written). */
  private static String describe(Node node, java.nio.file.Path file, java.nio.file.Path baseDir) {
    return node instanceof Node.Scalar s && s.fromEnv() ? s.shown() + " (relative to " + baseDir + ")" : file.toString();
  }
}
