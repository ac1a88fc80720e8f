package io.drflow.cli;

import io.drflow.workflows.failover.FailoverInput;
import io.drflow.workflows.failover.FailoverWorkflow;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.recovery.RecoveryInputs;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/** What failover and failback share: input checked before contacting anything, then one start. */
final class FailoverStart {

  private FailoverStart() {}

  /** @param to the region, or null for a failback */
  static FailoverInput input(String service, String to, String incidentStart, boolean drill, boolean yes, String by) {
    ServiceNames.check(service);
    if (to != null && !to.matches("[a-z0-9][a-z0-9_-]{0,39}")) {
      throw new UserError("--to '" + to + "' is not a region name (as configured under services." + service + ".regions)");
    }
    String incident = null;
    if (incidentStart != null) {
      try {
        incident = Instant.ofEpochMilli(RecoveryInputs.time(
            "--incident-start", incidentStart, System.currentTimeMillis(), Duration.ofMinutes(1).toMillis())).toString();
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
    }
    return new FailoverInput(service, to, incident, drill ? true : null, yes ? true : null,
        to == null ? true : null, Users.name(by));
  }

  static int start(TemporalSession s, FailoverInput input, boolean await, boolean json, PrintWriter out) throws Exception {
    String what = input.isFailback() ? "failback" : "failover to " + input.to();
    Runs.refuseIfBusy(s, input.service());
    WorkflowStub stub = Runs.start(s, Runbook.FAILOVER, input.service(),
        (input.isFailback() ? "failback" : "to " + input.to()) + (input.isDrill() ? " (drill)" : ""), input);
    String id = stub.getExecution().getWorkflowId();
    out.println("started " + id + ": " + what + (input.isDrill() ? " as a DRILL on the drill record" : ""));
    if (input.preApproved()) {
      out.println("pre-approved with --yes: the run switches DNS without asking");
    } else {
      out.println("the run checks readiness, restores, scales up and checks health, then waits before"
          + " switching DNS; approve with:");
      out.println("  drctl approve " + id + " " + FailoverWorkflow.DNS_STEP + " --by NAME [--comment TEXT]");
    }
    out.println("abort and roll back with:  drctl abort " + id + " --reason TEXT");
    if (!await && !json) {
      out.println("follow it with:  drctl watch " + id);
      return 0;
    }
    out.flush();
    if (json) {
      return RunOutput.print(Runs.awaitReport(stub), true, out);
    }
    return RunOutput.print(new Watcher(out).follow(stub), false, out);
  }
}
