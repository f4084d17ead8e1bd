/**
 * Observability: the access log (one line per request, built from the decided outcome, written by
 * a writer of its own), metrics, and the application log's Logback configuration. Reads
 * {@link gatehouse.pipeline.Outcome} values; never a credential, only its fingerprint.
 */
package gatehouse.observe;
