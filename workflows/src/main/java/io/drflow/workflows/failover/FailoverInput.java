package io.drflow.workflows.failover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.workflows.runbook.JsonInput;

/**
 * Input of {@code FailoverWorkflow}, as typed into the Temporal UI: {@code
 * {"service":"shop","to":"dr"}}; a failback leaves {@code to} out (or sets {@code failback}) and
 * goes back to the service's first configured region.
 *
 * @param incidentStart when the region was lost (ISO-8601 with a zone): the RTO clock starts here
 * @param drill rehearse against the drill record and put back everything changed at the end
 * @param yes pre-approve the DNS switch (recorded as such in the report)
 * @param problem why the JSON given could not be read as this input; never serialized
 */
public record FailoverInput(
    String service,
    String to,
    String incidentStart,
    Boolean drill,
    Boolean yes,
    Boolean failback,
    String requestedBy,
    @JsonIgnore String problem) implements JsonInput.Lenient {

  public static final String EXAMPLE = "{\"service\":\"shop\",\"to\":\"dr\"}";

  public FailoverInput(
      String service, String to, String incidentStart, Boolean drill, Boolean yes, Boolean failback, String requestedBy) {
    this(service, to, incidentStart, drill, yes, failback, requestedBy, null);
  }

  /** What the Temporal UI sends, read so that a wrong type is a clear error instead of a stuck run. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static FailoverInput fromJson(JsonNode json) {
    JsonInput in = JsonInput.of(json, EXAMPLE, "service", "to", "incidentStart", "drill", "yes", "failback", "requestedBy");
    return new FailoverInput(in.text("service"), in.text("to"), in.text("incidentStart"), in.bool("drill"),
        in.bool("yes"), in.bool("failback"), in.text("requestedBy"), in.problem());
  }

  public static FailoverInput to(String service, String region) {
    return new FailoverInput(service, region, null, null, null, null, null);
  }

  public boolean isDrill() {
    return drill != null && drill;
  }

  public boolean preApproved() {
    return yes != null && yes;
  }

  public boolean isFailback() {
    return (failback != null && failback) || to == null;
  }
}
