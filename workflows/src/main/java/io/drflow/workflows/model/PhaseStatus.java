package io.drflow.workflows.model;

/** Lifecycle of one runbook phase. */
public enum PhaseStatus {
  PENDING,
  RUNNING,
  COMPLETED,
  FAILED,
  SKIPPED,
  CANCELLED;

  public boolean finished() {
    return this != PENDING && this != RUNNING;
  }
}
