package io.drflow.cli;

import io.drflow.workflows.failover.FailoverInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
      "Fail a service over to another region: check the region is ready (newest backup within the"
          + " RPO, Kubernetes, database server, Route53 zone and record; a failed check stops before"
          + " any change), restore the newest backup into the region's PostgreSQL, scale its"
          + " Deployments up, check its health, then WAIT FOR APPROVAL (drctl approve RUN-ID dns"
          + " --by NAME) before switching the DNS record; the old region is scaled down when it"
          + " answers. A failure or `drctl abort` switches the record back and scales the region back.",
      "--drill rehearses the whole runbook on the record drill-<record> and puts back everything it"
          + " changed at the end; the production record is never touched."
    })
final class FailoverCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "a service from drflow.yaml")
  String service;

  @Option(names = "--to", required = true, paramLabel = "REGION", description = "the region to serve from")
  String to;

  @Option(names = "--incident-start", paramLabel = "TIME",
      description = "when the region was lost (ISO-8601 with a zone): the RTO clock starts here (default: now)")
  String incidentStart;

  @Option(names = "--drill", description = "rehearse on the drill record and undo everything at the end")
  boolean drill;

  @Option(names = "--yes", description = "pre-approve the DNS switch (recorded as such in the report)")
  boolean yes;

  @Option(names = "--by", paramLabel = "NAME", description = "who starts the run (default: $USER)")
  String by;

  @Option(names = "--wait", description = "follow the run with live progress and print its report")
  boolean await;

  @Option(names = "--json", description = "print the report as JSON (implies --wait)")
  boolean json;

  private FailoverInput input;

  @Override
  public Integer call() throws Exception {
    input = FailoverStart.input(service, to == null ? "" : to.strip(), incidentStart, drill, yes, by);
    return super.call();
  }

  @Override
  int run(TemporalSession s) throws Exception {
    return FailoverStart.start(s, input, await, json, out());
  }
}
