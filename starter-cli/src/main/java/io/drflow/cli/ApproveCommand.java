package io.drflow.cli;

import io.drflow.workflows.model.Approval;
import io.drflow.workflows.recovery.ApprovalRequest;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "approve",
    mixinStandardHelpOptions = true,
    description =
        "Approve a step a run waits for: 'swap' (recovery) replaces the production database with"
            + " the validated restore; 'dns' (failover, failback) points the service's DNS record at"
            + " the new region. Refused (and not recorded) for an unknown step, a step the run"
            + " is not waiting for, or an empty --by.")
final class ApproveCommand extends ClientCommand {

  /** How long to wait for the worker to accept or reject the approval. */
  static final long ANSWER_SECONDS = 60;

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Parameters(index = "1", paramLabel = "STEP", description = "the step to approve: swap (recovery) or dns (failover)")
  String step;

  @Option(names = "--by", required = true, paramLabel = "NAME", description = "who approves")
  String by;

  @Option(names = "--comment", paramLabel = "TEXT", description = "why, for the report")
  String comment;

  @Override
  public Integer call() throws Exception {
    if (by == null || by.isBlank()) {
      throw new UserError("--by must name who approves");
    }
    return super.call();
  }

  @Override
  int run(TemporalSession s) throws Exception {
    WorkflowStub stub = Runs.existing(s, runId);
    ApprovalRequest request = new ApprovalRequest(step, by.strip(), comment);
    CompletableFuture<Approval> answer =
        Background.call(
            "drctl-approve", () -> stub.update(RecoveryWorkflow.APPROVE_UPDATE, Approval.class, request));
    Approval given;
    try {
      given = answer.get(ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new UserError(
          "no answer from " + runId + " within " + ANSWER_SECONDS + " s: is a drflow worker running?"
              + " The approval was not recorded",
          1);
    } catch (ExecutionException e) {
      throw rejected(e.getCause());
    }
    out().println(
        "approved " + given.step() + " of " + runId + " by " + given.by() + " at " + given.at()
            + "; the run continues: drctl watch " + runId);
    return 0;
  }

  private UserError rejected(Throwable e) {
    if (e instanceof WorkflowNotFoundException) {
      return new UserError("no running recovery with id " + runId);
    }
    if (e instanceof WorkflowUpdateException) {
      Throwable t = e;
      while (t.getCause() != null && !(t instanceof ApplicationFailure)) {
        t = t.getCause();
      }
      String why = t instanceof ApplicationFailure af ? af.getOriginalMessage() : Errors.describe(e);
      return new UserError("approval rejected: " + why);
    }
    return new UserError(Errors.describe(e), 1);
  }
}
