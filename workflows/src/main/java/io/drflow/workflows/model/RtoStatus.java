package io.drflow.workflows.model;

/**
 * Where a run stands against its recovery-time objective. AT_RISK: some phase has overrun its
 * budget, so the slack is being eaten; BREACHED: the RTO itself has elapsed.
 */
public enum RtoStatus {
  ON_TRACK,
  AT_RISK,
  BREACHED
}
