/**
 * Configuration: one YAML file → immutable, validated records ({@link gatehouse.config.GatehouseConfig}).
 * Reads the file and the environment once, through {@link gatehouse.config.ConfigLoader}; returns the
 * records or a {@link gatehouse.config.ConfigException} naming file, line and key of every problem.
 */
package gatehouse.config;
