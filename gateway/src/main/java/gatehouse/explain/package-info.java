/**
 * {@code gatehouse explain}: runs one request through the serving pipeline's stages without a
 * server and reports what each decided, as text or JSON. Reads a config and a request; returns an
 * {@link gatehouse.explain.Explanation}; sends nothing upstream and takes no rate-limit token.
 */
package gatehouse.explain;
