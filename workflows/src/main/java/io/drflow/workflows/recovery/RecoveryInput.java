package io.drflow.workflows.recovery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.workflows.runbook.JsonInput;

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
 * @param problem why the JSON given could not be read as this input; never serialized
 */
public record RecoveryInput(
    String service,
    String backup,
    String at,
    Boolean latest,
    String incidentStart,
    Boolean yes,
    Boolean skipSafetyCopy,
    String requestedBy,
    @JsonIgnore String problem) implements JsonInput.Lenient {

  public static final String EXAMPLE = "{\"service\":\"shop\"}";

  public RecoveryInput(
      String service, String backup, String at, Boolean latest, String incidentStart, Boolean yes,
      Boolean skipSafetyCopy, String requestedBy) {
    this(service, backup, at, latest, incidentStart, yes, skipSafetyCopy, requestedBy, null);
  }

  /** What the Temporal UI sends, read so that a wrong type is a clear error instead of a stuck run. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static RecoveryInput fromJson(JsonNode json) {
    JsonInput in = JsonInput.of(json, EXAMPLE, "service", "backup", "at", "latest", "incidentStart", "yes",
        "skipSafetyCopy", "requestedBy");
    return new RecoveryInput(in.text("service"), in.text("backup"), in.text("at"), in.bool("latest"),
        in.text("incidentStart"), in.bool("yes"), in.bool("skipSafetyCopy"), in.text("requestedBy"), in.problem());
  }

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
