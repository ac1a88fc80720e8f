package io.drflow.cli;

import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.recovery.RecoveryInput;
import io.drflow.workflows.recovery.RecoveryInputs;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = {
      "Recover a lost or damaged production database: assess it, keep a safety copy, stop the"
          + " writers, restore a backup beside it and validate it, then WAIT FOR APPROVAL"
          + " (drctl approve RUN-ID swap --by NAME) before swapping it in, restart the writers and"
          + " check the service's health. A failure or `drctl abort` rolls back; the damaged"
          + " database is kept as <db>_pre_recovery_<time>.",
      "Times are ISO-8601 with a zone: 2026-11-22T02:10:00Z or 2026-11-22T03:10+01:00."
    })
final class RecoverCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "a service from drflow.yaml")
  String service;

  @Option(names = "--backup", paramLabel = "KEY", description = "restore this backup (key or id)")
  String backup;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description = "restore the newest backup taken at or before TIME")
  String at;

  @Option(
      names = "--latest",
      description = "restore the newest verified backup, even one taken after --incident-start")
  boolean latest;

  @Option(
      names = "--incident-start",
      paramLabel = "TIME",
      description =
          "when the incident began: the RTO clock starts here, and by default the backup is the"
              + " newest taken at or before it (default: now)")
  String incidentStart;

  @Option(names = "--yes", description = "pre-approve the swap (recorded as such in the report)")
  boolean yes;

  @Option(names = "--skip-safety-copy", description = "do not back up the damaged database first")
  boolean skipSafetyCopy;

  @Option(names = "--by", paramLabel = "NAME", description = "who starts the run (default: $USER)")
  String by;

  @Option(names = "--wait", description = "follow the run with live progress and print its report")
  boolean await;

  @Option(names = "--json", description = "print the report as JSON (implies --wait)")
  boolean json;

  private RecoveryInput input;

  /** Bad input is refused before Temporal is contacted, let alone production. */
  @Override
  public Integer call() throws Exception {
    input = checkedInput();
    return super.call();
  }

  RecoveryInput checkedInput() {
    ServiceNames.check(service);
    RecoveryInput raw =
        new RecoveryInput(
            service,
            backup,
            at,
            latest ? true : null,
            incidentStart,
            yes ? true : null,
            skipSafetyCopy ? true : null,
            Users.name(by));
    RecoveryInputs.Times t;
    try {
      t = RecoveryInputs.check(raw, System.currentTimeMillis(), Duration.ofMinutes(1).toMillis());
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    // The workflow gets the instants drctl checked, in UTC, whatever zone the responder typed.
    return new RecoveryInput(
        raw.service(),
        raw.backup() == null ? null : raw.backup().strip(),
        t.atMillis() == null ? null : Instant.ofEpochMilli(t.atMillis()).toString(),
        raw.latest(),
        t.incidentStartMillis() == null ? null : Instant.ofEpochMilli(t.incidentStartMillis()).toString(),
        raw.yes(),
        raw.skipSafetyCopy(),
        raw.requestedBy());
  }

  @Override
  int run(TemporalSession s) throws Exception {
    Runs.refuseIfBusy(s, service);
    WorkflowStub stub = Runs.start(s, Runbook.RECOVERY, service, source().strip(), input);
    String id = stub.getExecution().getWorkflowId();
    out().println("started " + id);
    if (yes) {
      out().println("pre-approved with --yes: the run swaps the restored database in without asking");
    } else {
      out().println(
          "the run stops before it touches production; once the restored database has passed"
              + " validation, approve with:");
      out().println("  drctl approve " + id + " " + RecoveryWorkflow.SWAP_STEP + " --by NAME [--comment TEXT]");
    }
    out().println("abort and roll back with:  drctl abort " + id + " --reason TEXT");
    if (!await && !json) {
      out().println("follow it with:  drctl watch " + id);
      return 0;
    }
    out().flush();
    if (json) {
      return RunOutput.print(Runs.awaitReport(stub), true, out());
    }
    return RunOutput.print(new Watcher(out()).follow(stub), false, out());
  }

  private String source() {
    if (backup != null) {
      return " from " + backup;
    }
    if (input.at() != null) {
      return " to " + input.at();
    }
    return latest ? " from the newest backup" : "";
  }
}
