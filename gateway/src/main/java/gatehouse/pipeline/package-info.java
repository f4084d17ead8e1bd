/**
 * The conductor: {@link gatehouse.pipeline.Pipeline} runs stages 1 to 6 in a fixed order.
 * Reads a {@link gatehouse.pipeline.RequestHead}; returns an {@link gatehouse.pipeline.Outcome}.
 * {@link gatehouse.pipeline.ErrorResponses} is the only place error replies are built.
 */
package gatehouse.pipeline;
