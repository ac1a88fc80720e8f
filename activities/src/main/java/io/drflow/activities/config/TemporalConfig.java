package io.drflow.activities.config;

import io.drflow.workflows.codec.PayloadEncryption;

/**
 * Where the Temporal server is, which queue drflow's workers serve, and (optionally) the key that
 * encrypts workflow payloads before they reach it.
 */
public record TemporalConfig(String target, String namespace, String taskQueue, PayloadEncryption payloadEncryption) {

  public static final String DEFAULT_TARGET = "127.0.0.1:7233";
  public static final String DEFAULT_TASK_QUEUE = "drflow";

  public TemporalConfig {
    target = target == null ? DEFAULT_TARGET : target;
    namespace = namespace == null ? "default" : namespace;
    taskQueue = taskQueue == null ? DEFAULT_TASK_QUEUE : taskQueue;
  }

  public TemporalConfig(String target, String namespace, String taskQueue) {
    this(target, namespace, taskQueue, null);
  }

  public static TemporalConfig defaults() {
    return new TemporalConfig(null, null, null);
  }
}
