package io.drflow.activities.config;

/** Where the Temporal server is and which queue drflow's workers serve. */
public record TemporalConfig(String target, String namespace, String taskQueue) {

  public static final String DEFAULT_TARGET = "127.0.0.1:7233";
  public static final String DEFAULT_TASK_QUEUE = "drflow";

  public TemporalConfig {
    target = target == null ? DEFAULT_TARGET : target;
    namespace = namespace == null ? "default" : namespace;
    taskQueue = taskQueue == null ? DEFAULT_TASK_QUEUE : taskQueue;
  }

  public static TemporalConfig defaults() {
    return new TemporalConfig(null, null, null);
  }
}
