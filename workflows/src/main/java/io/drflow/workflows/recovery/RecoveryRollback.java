package io.drflow.workflows.recovery;

import io.drflow.workflows.activities.DeploymentActivities;
import io.drflow.workflows.activities.DeploymentActivities.ScaleBackRequest;
import io.drflow.workflows.activities.DeploymentActivities.ScaleDownRequest;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.RecoveryActivities;
import io.drflow.workflows.activities.RecoveryActivities.SwapRequest;
import io.drflow.workflows.activities.RecoveryActivities.SwapResult;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DropRequest;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import io.temporal.activity.ActivityOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The undo of each recovery step, as the saga calls them. Every activity checks before it acts,
 * so a retried rollback is harmless. A step whose failure leaves production unusable (swap back,
 * replica counts) fails the rollback; the others are recorded as warnings and the rollback goes on.
 */
final class RecoveryRollback {

  private final RecoveryActivities unswapper =
      ActivityStubs.stub(
          RecoveryActivities.class, RecoveryOptions.compensation(), "Swap the databases back");
  private final RestoreActivities dropper =
      ActivityStubs.stub(
          RestoreActivities.class, RecoveryOptions.compensation(), "Drop the restored database");
  private final DeploymentActivities rescaler =
      ActivityStubs.stub(
          DeploymentActivities.class, RecoveryOptions.compensation(), "Scale writers (rollback)");
  private final DeploymentActivities rewatcher =
      ActivityStubs.stub(
          DeploymentActivities.class,
          ActivityOptions.newBuilder(RecoveryOptions.waiting(Duration.ofMinutes(15)))
              .setRetryOptions(ActivityStubs.retries(2))
              .build(),
          "Wait for the writers (rollback)");

  private final List<RollbackStep> steps = new ArrayList<>();
  private final List<String> warnings;

  /** @param warnings the run's warnings, which non-critical failures are added to */
  RecoveryRollback(List<String> warnings) {
    this.warnings = warnings;
  }

  List<RollbackStep> steps() {
    return List.copyOf(steps);
  }

  String summary() {
    return String.join(
        "; ", steps.stream().map(s -> s.step() + " " + s.status().toLowerCase()).toList());
  }

  /**
   * @param previous counts from the scale-down; null when it never answered, and then the
   *     counts the run recorded on the Deployments are used
   */
  void restoreReplicas(String service, String runId, List<Replicas> previous) {
    List<Replicas> targets = previous == null ? List.of() : previous;
    try {
      ScaleResult r = rescaler.scaleBack(new ScaleBackRequest(service, runId, targets));
      steps.add(
          new RollbackStep(
              "restore replica counts",
              r.actions().isEmpty() ? "SKIPPED" : "DONE",
              r.actions().isEmpty() ? "already at " + replicas(r.replicas()) : String.join("; ", r.actions())));
    } catch (RuntimeException e) {
      steps.add(new RollbackStep("restore replica counts", "FAILED", Failures.describe(e)));
      throw e;
    }
    try {
      rewatcher.awaitAvailable(service);
      steps.add(new RollbackStep("await writers available", "DONE", replicas(targets)));
    } catch (RuntimeException e) {
      steps.add(new RollbackStep("await writers available", "FAILED", Failures.describe(e)));
      warnings.add(
          "the writers were scaled back but did not all become available: " + Failures.describe(e));
    }
  }

  void dropRestored(String service, String restored, boolean mayExist, boolean swapStarted) {
    if (!mayExist) {
      steps.add(new RollbackStep("drop restored database", "SKIPPED", "nothing was restored"));
      return;
    }
    if (swapStarted) {
      steps.add(
          new RollbackStep(
              "keep restored database",
              "SKIPPED",
              restored + " is kept: the swap had begun, so it may hold writes made since"));
      return;
    }
    try {
      boolean dropped = dropper.dropDatabase(new DropRequest(service, "source", restored));
      steps.add(
          new RollbackStep(
              "drop restored database",
              dropped ? "DONE" : "SKIPPED",
              restored + (dropped ? " dropped" : " did not exist")));
    } catch (RuntimeException e) {
      // Left over, it only takes disk; production does not wait for it.
      steps.add(new RollbackStep("drop restored database", "FAILED", Failures.describe(e)));
      warnings.add("could not drop " + restored + " (" + Failures.describe(e) + "): drop it by hand");
    }
  }

  void swapBack(SwapRequest request) {
    try {
      SwapResult r = unswapper.swapBack(request);
      steps.add(
          new RollbackStep(
              "swap back",
              r.actions().isEmpty() ? "SKIPPED" : "DONE",
              r.actions().isEmpty() ? "nothing had been swapped" : String.join("; ", r.actions())));
    } catch (RuntimeException e) {
      steps.add(new RollbackStep("swap back", "FAILED", Failures.describe(e)));
      throw e;
    }
  }

  /** Before swapping back, stop what writes to the restored database. */
  void stopWritersAgain(String service, String runId, String restored) {
    try {
      ScaleResult r = rescaler.scaleDown(new ScaleDownRequest(service, runId));
      rewatcher.awaitNoPods(service);
      steps.add(
          new RollbackStep(
              "stop writers again",
              r.actions().isEmpty() ? "SKIPPED" : "DONE",
              r.actions().isEmpty() ? "already stopped" : String.join("; ", r.actions())));
    } catch (RuntimeException e) {
      steps.add(new RollbackStep("stop writers again", "FAILED", Failures.describe(e)));
      warnings.add(
          "the writers could not be stopped before swapping back (" + Failures.describe(e)
              + "); writes they made to the restored database stay in " + restored);
    }
  }

  static String replicas(List<Replicas> list) {
    if (list == null || list.isEmpty()) {
      return "(none)";
    }
    return String.join(", ", list.stream().map(r -> r.name() + "=" + r.replicas()).toList());
  }
}
