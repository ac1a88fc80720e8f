package io.drflow.cli;

import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.model.Runbook;
import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true, description = "Back up a service now.")
final class BackupCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "a service from drflow.yaml")
  String service;

  @Option(names = "--wait", description = "follow the run and print its report")
  boolean await;

  @Option(names = "--json", description = "print the report as JSON (implies --wait)")
  boolean json;

  @Override
  int run(TemporalSession s) throws Exception {
    ServiceNames.check(service);
    WorkflowStub stub = Runs.start(s, Runbook.BACKUP, service, null, new BackupInput(service));
    return RunOutput.finish(stub, await, json, out());
  }
}
