package io.drflow.workflows.recovery;

import io.drflow.workflows.model.Approval;
import io.temporal.workflow.CompletablePromise;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.drflow.workflows.runbook.Failures;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The gate before a runbook's irreversible step (a recovery's swap, a failover's DNS switch): open
 * while the run waits, one approval closes it. It decides nothing by itself and has no timeout;
 * the workflow reminds people while it is open.
 */
public final class ApprovalGate {

  private final String step;
  private final String opensWhen;

  private final List<Approval> approvals = new ArrayList<>();
  private CompletablePromise<Approval> decision;
  private boolean waiting;

  /**
   * @param step the gated step's name, as approvers type it
   * @param opensWhen when the gate opens, for "not yet" answers ("once the restore has passed
   *     validation")
   */
  public ApprovalGate(String step, String opensWhen) {
    this.step = step;
    this.opensWhen = opensWhen;
  }

  public String step() {
    return step;
  }

  /** Opens the gate; the promise completes with the approval. */
  public Promise<Approval> open() {
    decision = Workflow.newPromise();
    waiting = true;
    return decision;
  }

  public void close() {
    waiting = false;
  }

  public boolean waiting() {
    return waiting;
  }

  public boolean decided() {
    return decision != null && decision.isCompleted();
  }

  public List<Approval> approvals() {
    return List.copyOf(approvals);
  }

  /** {@code --yes}: recorded as given by whoever started the run, when it started. */
  public Approval preApprove(String by, long startedAtMillis) {
    Approval pre =
        new Approval(
            step,
            by,
            "pre-approved with --yes when the run was started",
            Instant.ofEpochMilli(startedAtMillis).toString(),
            Approval.VIA_PRE_APPROVED);
    approvals.add(pre);
    return pre;
  }

  /**
   * Why an approval cannot be accepted now, or null when it can.
   *
   * @param blocked why the run takes no approval at all (aborting, ended), or null
   * @param where the phase the run is in, for "not yet"
   */
  public String problem(ApprovalRequest r, String blocked, Supplier<String> where) {
    String swap = step;
    if (r == null) {
      return "an approval needs a step and an approver: {\"step\":\"" + swap + "\",\"by\":\"NAME\"}";
    }
    String name = r.step() == null ? "" : r.step().strip();
    if (!swap.equalsIgnoreCase(name)) {
      return "unknown step '" + r.step() + "': the step that needs approval is '" + swap + "'";
    }
    if (r.by() == null || r.by().isBlank()) {
      return "the approver must not be empty: say who approves (--by NAME)";
    }
    if (blocked != null) {
      return blocked;
    }
    if (!approvals.isEmpty()) {
      Approval a = approvals.get(0);
      return "'" + swap + "' was already approved by " + a.by() + " at " + a.at() + " (" + a.via() + ")";
    }
    if (!waiting) {
      return "the run is not waiting for approval of '" + swap + "': it is " + where.get()
          + "; approval opens " + opensWhen;
    }
    return null;
  }

  /** The Update validator: rejects, before anything is recorded, what {@link #problem} finds. */
  public void validate(ApprovalRequest r, String blocked, Supplier<String> where) {
    String problem = problem(r, blocked, where);
    if (problem != null) {
      throw ApplicationFailure.newNonRetryableFailure(problem, Failures.APPROVAL_REJECTED);
    }
  }

  /**
   * The signal's path (the UI's Send Signal), which cannot answer its sender: a valid approval is
   * accepted; an invalid one is ignored and described, for the run's warnings.
   *
   * @return the warning to record, or null when the approval was accepted
   */
  public String acceptSignal(ApprovalRequest r, String blocked, Supplier<String> where) {
    String problem = problem(r, blocked, where);
    if (problem != null) {
      String who = r == null || r.by() == null ? "someone" : r.by();
      return "an approval signal from " + who + " was ignored: " + problem;
    }
    accept(r, Approval.VIA_SIGNAL);
    return null;
  }

  /** Why a run takes no approval at all now (aborting, ended), or null. */
  public static String blocked(AbortRequest abort, boolean finished, String status) {
    if (abort != null) {
      return "the run is being aborted (" + abort.reason() + "): there is nothing to approve";
    }
    if (finished || !"RUNNING".equals(status)) {
      return "the run has ended (" + status + "): there is nothing to approve";
    }
    return null;
  }

  /** Records an approval {@link #problem} found nothing wrong with, and closes the gate. */
  public Approval accept(ApprovalRequest r, String via) {
    String comment = r.comment() == null || r.comment().isBlank() ? null : r.comment().strip();
    Approval given =
        new Approval(
            step,
            r.by().strip(),
            comment,
            Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString(),
            via);
    approvals.add(given);
    decision.complete(given);
    return given;
  }
}
