package io.drflow.workflows.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runbooks drflow knows, their phases in order, and each phase's default share of the RTO.
 * Shares add up to less than one on purpose: the rest is slack for retries and hand-offs.
 */
public enum Runbook {
  BACKUP(
      "backup",
      "BackupWorkflow",
      phases(
          "Snapshot", 0.02,
          "Dump", 0.40,
          "Compress", 0.40,
          "Checksum", 0.40,
          "Upload", 0.40,
          "Manifest", 0.02,
          "Retention", 0.05)),
  DRILL(
      "drill",
      "RestoreDrillWorkflow",
      phases(
          "Locate", 0.02,
          "Download", 0.20,
          "Restore", 0.45,
          "Validate", 0.15,
          "Cleanup", 0.05,
          "Report", 0.02)),
  RECOVERY(
      "recovery",
      "RecoveryWorkflow",
      phases(
          "Assess", 0.01,
          "Locate", 0.01,
          "SafetyCopy", 0.15,
          "StopWriters", 0.03,
          "Download", 0.12,
          "Restore", 0.30,
          "Validate", 0.08,
          "Approval", 0.10,
          "Swap", 0.01,
          "StartWriters", 0.05,
          "HealthCheck", 0.04,
          "Rollback", 0.05,
          "Report", 0.01)),
  FAILOVER(
      "failover",
      "FailoverWorkflow",
      phases(
          "Readiness", 0.02,
          "Download", 0.12,
          "Restore", 0.30,
          "Validate", 0.08,
          "ScaleUp", 0.08,
          "HealthCheck", 0.05,
          "Approval", 0.10,
          "DnsSwitch", 0.05,
          "ScaleDownPrimary", 0.03,
          "Rollback", 0.05,
          "Report", 0.01));

  private final String id;
  private final String workflowType;
  private final Map<String, Double> shares;

  Runbook(String id, String workflowType, Map<String, Double> shares) {
    this.id = id;
    this.workflowType = workflowType;
    this.shares = shares;
  }

  public String id() {
    return id;
  }

  public String workflowType() {
    return workflowType;
  }

  public List<String> phases() {
    return List.copyOf(shares.keySet());
  }

  /** Default budget of each phase for a service with the given RTO, in whole seconds (≥ 1). */
  public Map<String, Long> defaultBudgets(long rtoSeconds) {
    Map<String, Long> out = new LinkedHashMap<>();
    shares.forEach((phase, share) -> out.put(phase, Math.max(1, Math.round(rtoSeconds * share))));
    return out;
  }

  public static Runbook byId(String id) {
    for (Runbook r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown runbook " + id);
  }

  private static Map<String, Double> phases(Object... nameShare) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < nameShare.length; i += 2) {
      m.put((String) nameShare[i], (Double) nameShare[i + 1]);
    }
    return m;
  }
}
