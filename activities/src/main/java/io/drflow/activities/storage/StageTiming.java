package io.drflow.activities.storage;

import java.time.Duration;
import java.time.Instant;

/**
 * How long one stage of a streaming pipeline worked. Stages overlap, so {@code busyNanos} (summed
 * over the stage's threads, so it may exceed the wall time) says where the time went while {@code
 * firstStartedAt}..{@code lastEndedAt} is the window the stage occupied.
 *
 * @param firstStartedAt null when the stage never ran
 */
public record StageTiming(
    String stage, long busyNanos, Instant firstStartedAt, Instant lastEndedAt) {

  public Duration busy() {
    return Duration.ofNanos(busyNanos);
  }
}
