/**
 * Classes that break ArchitectureTest's rules on purpose, one rule each, in packages laid out like
 * {@code gatehouse}'s own: ArchitectureTest checks each rule, built for the root {@code
 * gatehouse.archviolations}, against them alone and expects it to fail. Never used by other code.
 */
package gatehouse.archviolations;
