package io.drflow.workflows.model;

/** A recovery objective (RTO or RPO): the target, what a run achieved, and whether it met it. */
public record Objective(long targetSeconds, Long achievedSeconds, Boolean met) {

  public static Objective of(long targetSeconds, long achievedSeconds) {
    return new Objective(targetSeconds, achievedSeconds, achievedSeconds <= targetSeconds);
  }

  public static Objective pending(long targetSeconds) {
    return new Objective(targetSeconds, null, null);
  }
}
