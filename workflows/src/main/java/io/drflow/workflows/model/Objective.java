package io.drflow.workflows.model;

/** A recovery objective (RTO or RPO): the target, what a run achieved, and whether it met it. */
public record Objective(long targetSeconds, Long achievedSeconds, Boolean met) {

  /**
   * Seconds are rounded up, so a report never claims a recovery faster than it was; whether the
   * target was met is decided on the exact milliseconds.
   */
  public static Objective ofMillis(long targetSeconds, long achievedMillis) {
    long ms = Math.max(0, achievedMillis);
    return new Objective(targetSeconds, (ms + 999) / 1000, ms <= targetSeconds * 1000);
  }

  public static Objective pending(long targetSeconds) {
    return new Objective(targetSeconds, null, null);
  }
}
