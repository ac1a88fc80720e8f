package io.drflow.cli;

import io.drflow.workflows.failover.FailoverInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "failback",
    mixinStandardHelpOptions = true,
    description =
        "Move a failed-over service back to its first configured region: the failover runbook in"
            + " the other direction (readiness, restore, scale up, health, approval, DNS switch,"
            + " scale down of the DR region).")
final class FailbackCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "a service from drflow.yaml")
  String service;

  @Option(names = "--yes", description = "pre-approve the DNS switch (recorded as such in the report)")
  boolean yes;

  @Option(names = "--drill", description = "rehearse on the drill record and undo everything at the end")
  boolean drill;

  @Option(names = "--by", paramLabel = "NAME", description = "who starts the run (default: $USER)")
  String by;

  @Option(names = "--wait", description = "follow the run with live progress and print its report")
  boolean await;

  @Option(names = "--json", description = "print the report as JSON (implies --wait)")
  boolean json;

  private FailoverInput input;

  @Override
  public Integer call() throws Exception {
    input = FailoverStart.input(service, null, null, drill, yes, by);
    return super.call();
  }

  @Override
  int run(TemporalSession s) throws Exception {
    return FailoverStart.start(s, input, await, json, out());
  }
}
