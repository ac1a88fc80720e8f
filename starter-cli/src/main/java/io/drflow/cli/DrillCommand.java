package io.drflow.cli;

import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.Runbook;
import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description =
        "Run a restore drill: restore a backup into a scratch database, verify it, measure RTO and"
            + " RPO, clean up, report.")
final class DrillCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "a service from drflow.yaml")
  String service;

  @Option(names = "--backup", paramLabel = "KEY", description = "backup key or id (default: newest verified)")
  String backup;

  @Option(names = "--wait", description = "follow the run with live progress and print its report")
  boolean await;

  @Option(names = "--json", description = "print the report as JSON (implies --wait)")
  boolean json;

  @Option(names = "--keep-scratch", description = "keep the scratch database for inspection")
  boolean keepScratch;

  @Override
  int run(TemporalSession s) throws Exception {
    ServiceNames.check(service);
    if (backup != null && backup.isBlank()) {
      throw new UserError("--backup needs a key or backup id");
    }
    WorkflowStub stub =
        Runs.start(
            s,
            Runbook.DRILL,
            service,
            backup == null ? null : "from " + backup,
            new DrillInput(service, backup, keepScratch));
    return RunOutput.finish(stub, await, json, out());
  }
}
