package io.drflow.workflows.recovery;

/**
 * Input of {@code RecoveryWorkflow}, as typed into the Temporal UI: {@code {"service":"shop"}} is
 * enough. Times are ISO-8601 instants with a zone ({@code 2026-11-22T02:10:00Z}).
 *
 * @param backup a backup key or id; excludes {@code at} and {@code latest}
 * @param at restore the newest backup taken at or before this time
 * @param latest restore the newest verified backup, even one taken after {@code incidentStart}
 * @param incidentStart when the incident began: the RTO clock starts here (default: the run's
 *     start), and by default the backup is the newest taken at or before it
 * @param yes pre-approve the swap (recorded as such in the report)
 * @param skipSafetyCopy do not back up the damaged database first
 * @param requestedBy who started the run, for the report
 */
public record RecoveryInput(
    String service,
    String backup,
    String at,
    Boolean latest,
    String incidentStart,
    Boolean yes,
    Boolean skipSafetyCopy,
    String requestedBy) {

  public static RecoveryInput of(String service) {
    return new RecoveryInput(service, null, null, null, null, null, null, null);
  }

  public boolean preApproved() {
    return yes != null && yes;
  }

  public boolean skipCopy() {
    return skipSafetyCopy != null && skipSafetyCopy;
  }

  public boolean newest() {
    return latest != null && latest;
  }
}
