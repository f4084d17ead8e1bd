/**
 * The parts of {@code gatehouse demo} that stand in for the outside world: an echo upstream and
 * an RS256 token issuer, both in-process and on loopback. Never used by {@code run}.
 */
package gatehouse.demo;
