/**
 * Observability: the access log, one line per request built from the decided outcome.
 * Reads {@link gatehouse.pipeline.Outcome} values; never a credential, only its fingerprint.
 */
package gatehouse.observe;
