package io.drflow.workflows.failover;

/**
 * Input of {@code FailoverWorkflow}, as typed into the Temporal UI: {@code
 * {"service":"shop","to":"dr"}}; a failback leaves {@code to} out (or sets {@code failback}) and
 * goes back to the service's first configured region.
 *
 * @param incidentStart when the region was lost (ISO-8601 with a zone): the RTO clock starts here
 * @param drill rehearse against the drill record and put back everything changed at the end
 * @param yes pre-approve the DNS switch (recorded as such in the report)
 */
public record FailoverInput(
    String service,
    String to,
    String incidentStart,
    Boolean drill,
    Boolean yes,
    Boolean failback,
    String requestedBy) {

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
