/**
 * Configuration: one YAML file → immutable, validated records ({@link gatehouse.config.GatehouseConfig}).
 * Reads the file and the environment once, through {@link gatehouse.config.ConfigLoader}; returns the
 * records or a {@link gatehouse.config.ConfigException} naming file, line and key of every problem.
 * The keys each mapping may hold are declared as data ({@code Shape}) next to the reader of that
 * section; {@link gatehouse.config.ConfigSchema} prints the same declarations as a JSON Schema.
 */
package gatehouse.config;
