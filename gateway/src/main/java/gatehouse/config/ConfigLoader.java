package gatehouse.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the one YAML file into a validated, immutable {@link GatehouseConfig}. Every problem
 * found is reported at once, each naming the file, line and key. Values (never keys) may use
 * {@code ${VAR}} or {@code ${VAR:-default}}; messages never show what the environment supplied.
 * Pure apart from reading the file, the environment and checking that referenced key files exist.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * Loads {@code file}, taking variables from the process environment and resolving relative
   * paths against the file's directory.
   *
   * @throws ConfigException if the file cannot be read or is invalid
   */
  public static GatehouseConfig load(Path file) throws ConfigException {
    String name = file.toString();
    String yaml;
    try {
      yaml = java.nio.file.Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(ConfigException.Problem.ofFile(name, "file not found"));
    } catch (CharacterCodingException e) {
      throw new ConfigException(ConfigException.Problem.ofFile(name, "the file is not valid UTF-8"));
    } catch (IOException e) {
      throw new ConfigException(ConfigException.Problem.ofFile(name, "cannot read the file: " + e));
    }
    return load(file, yaml);
  }

  /**
   * Parses {@code yaml}, read from {@code file} by the caller (a reload, which hashes what it read),
   * as {@link #load(Path)} would.
   *
   * @throws ConfigException if it is invalid
   */
  public static GatehouseConfig load(Path file, String yaml) throws ConfigException {
    Path absolute = file.toAbsolutePath();
    return parse(file.toString(), yaml, absolute.getParent(), System::getenv, absolute);
  }

  /**
   * Parses {@code yaml} as if read from {@code fileName} in {@code baseDir}; {@code env} returns
   * null for an unset variable.
   *
   * @throws ConfigException listing every problem found
   */
  public static GatehouseConfig parse(String fileName, String yaml, Path baseDir, Function<String, String> env)
      throws ConfigException {
    return parse(fileName, yaml, baseDir, env, baseDir.resolve(fileName));
  }

  private static GatehouseConfig parse(String fileName, String yaml, Path baseDir, Function<String, String> env,
      Path source) throws ConfigException {
    Problems problems = new Problems(fileName);
    Optional<GatehouseConfig> config = YamlTree.read(yaml, env, problems)
        .flatMap(root -> new ConfigReader(problems, source, baseDir).read(root));
    problems.throwIfAny();
    return config.orElseThrow(() -> new AssertionError("no config and no problem reported"));
  }
}
