/**
 * The HTTP edge: Vert.x listeners (one per event loop), the glue that runs the pipeline and hands
 * its outcome to the proxy or to {@link gatehouse.pipeline.ErrorResponses}, and the admin listener.
 * Reads requests off the wire; writes nothing but what the pipeline and proxy decided.
 */
package gatehouse.server;
