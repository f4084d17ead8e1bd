package gatehouse.archviolations.pipeline;

/** Stands for the conductor. */
public class PipelineSide {}
