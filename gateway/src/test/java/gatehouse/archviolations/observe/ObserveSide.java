package gatehouse.archviolations.observe;

/** Stands for the access log and metrics. */
public class ObserveSide {}
