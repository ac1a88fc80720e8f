package io.drflow.workflows.runbook;

import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Delivery;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * A run's events for people: started, AT_RISK and BREACHED as they happen, and the outcome.
 * Deliveries run beside the work (only the last one is waited for, so it is not lost when the run
 * ends) and a notification that cannot be delivered never changes the run.
 */
public final class RunNotifier {

  /**
   * Runs started before runbooks notified replay without these activities (version 1 and later
   * notify; version 2 abandons deliveries instead of cancelling them).
   */
  public static final String CHANGE_ID = "run-notifications";

  private static final Logger log = Workflow.getLogger(RunNotifier.class);

  private final NotifyActivities notify;
  private final List<Promise<Delivery>> pending = new ArrayList<>();
  private final String runbook;
  private final boolean enabled;
  private String service;
  private String label;
  private RtoStatus announced = RtoStatus.ON_TRACK;
  private boolean watchingRto = true;

  /** Call from the workflow method, before the run's first activity. */
  public RunNotifier(Runbook runbook) {
    this.runbook = runbook.workflowType();
    // Version 2: deliveries are abandoned, not cancelled, when the run is aborted or cancelled.
    int version = Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 2);
    this.enabled = version != Workflow.DEFAULT_VERSION;
    this.notify =
        Workflow.newActivityStub(
            NotifyActivities.class,
            ActivityOptions.newBuilder(
                    // The activity retries the posts itself and never fails; this covers a lost worker.
                    ActivityStubs.notifications(Duration.ofMinutes(1), version >= 2))
                .setSummary("Notify")
                .build());
  }

  public void started(ServicePlan plan, PhaseRunner phases) {
    service = plan.service();
    phases.onRtoStatusChange(this::rtoStatusChanged);
    send(
        "started",
        "info",
        what() + " of " + service + " started (RTO " + Durations.human(plan.rtoSeconds()) + ")",
        null,
        "RUNNING",
        null,
        false);
  }

  /**
   * For runbooks that announce their start and outcome themselves (failover): only AT_RISK and
   * BREACHED, as they happen.
   *
   * @param what the run as people say it, e.g. "failover"
   */
  public void watchRto(String service, String what, PhaseRunner phases) {
    this.service = service;
    this.label = what;
    phases.onRtoStatusChange(this::rtoStatusChanged);
  }

  /** Waits for the events still on their way, so the run does not end before they are delivered. */
  public void awaitDeliveries() {
    for (Promise<Delivery> p : pending) {
      try {
        p.get();
      } catch (RuntimeException e) {
        log.warn("notification not delivered: {}", Failures.describe(e));
      }
    }
    pending.clear();
  }

  /** After a drill verified its restore: the RTO it measured is fixed, cleanup cannot breach it. */
  public void stopWatchingRto() {
    watchingRto = false;
  }

  private void rtoStatusChanged(Progress p) {
    if (!watchingRto || p.rtoStatus().ordinal() <= announced.ordinal()) {
      return;
    }
    announced = p.rtoStatus();
    Phase phase = culprit(p);
    String name = phase == null ? null : phase.name();
    if (p.rtoStatus() == RtoStatus.BREACHED) {
      send(
          "breached",
          "critical",
          what() + " of " + service + " has run out of its RTO of " + Durations.human(p.rtoSeconds())
              + (name == null ? "" : " during " + name),
          name,
          p.rtoStatus().name(),
          null,
          false);
    } else {
      send(
          "at-risk",
          "warning",
          what() + " of " + service + " is at risk: " + (name == null ? "a phase" : name) + " has run "
              + (phase == null ? "" : Durations.human(Math.round(phase.seconds())) + " of its "
                  + Durations.human(phase.budgetSeconds()) + " budget")
              + "; " + Durations.human(Math.max(0, p.rtoRemainingSeconds())) + " of the "
              + Durations.human(p.rtoSeconds()) + " RTO left",
          name,
          p.rtoStatus().name(),
          null,
          false);
    }
  }

  /** The phase that put the run over: a running phase over budget, else the last one that was. */
  private static Phase culprit(Progress p) {
    Phase last = null;
    for (Phase ph : p.phases()) {
      if (ph.overBudget()) {
        if (ph.status() == PhaseStatus.RUNNING) {
          return ph;
        }
        last = ph;
      }
      if (last == null && ph.status() == PhaseStatus.RUNNING) {
        last = ph;
      }
    }
    return last;
  }

  /** The outcome, waited for (with the events still on their way) so the run does not end first. */
  public void finished(RunReport r) {
    if (service == null) {
      return;
    }
    String event =
        switch (r.status()) {
          case "PASSED", "COMPLETED" -> "completed";
          case "CANCELLED" -> "cancelled";
          default -> "failed";
        };
    String severity = event.equals("completed") ? "info" : event.equals("cancelled") ? "warning" : "critical";
    send(event, severity, outcome(r), null, r.status(), r.reportKey(), true);
    awaitDeliveries();
  }

  private String outcome(RunReport r) {
    String verdict =
        switch (r.status()) {
          case "PASSED" -> "passed";
          case "COMPLETED" -> "completed";
          case "CANCELLED" -> "was cancelled";
          default -> "FAILED";
        };
    List<String> facts = new ArrayList<>();
    if (r.rto() != null && r.rto().achievedSeconds() != null) {
      facts.add("RTO " + Durations.human(r.rto().achievedSeconds()) + " of " + Durations.human(r.rto().targetSeconds())
          + (Boolean.TRUE.equals(r.rto().met()) ? " (met)" : " (MISSED)"));
    }
    if (r.rpo() != null && r.rpo().achievedSeconds() != null) {
      facts.add("RPO " + Durations.human(r.rpo().achievedSeconds()) + " of " + Durations.human(r.rpo().targetSeconds())
          + (Boolean.TRUE.equals(r.rpo().met()) ? " (met)" : " (MISSED)"));
    }
    if (Runbook.BACKUP.workflowType().equals(runbook) && r.backup() != null) {
      facts.add(Bytes.human(r.backup().dumpBytes()) + " dumped, " + Bytes.human(r.backup().storedBytes()) + " stored");
    }
    if (r.checks() != null && !r.checks().isEmpty()) {
      long passed = r.checks().stream().filter(Check::passed).count();
      facts.add(passed + "/" + r.checks().size() + " checks passed");
    }
    String s = what() + " of " + service + " " + verdict + (facts.isEmpty() ? "" : ": " + String.join(", ", facts));
    if (r.error() != null && !"PASSED".equals(r.status()) && !"COMPLETED".equals(r.status())) {
      s += " — " + r.error();
    }
    return s;
  }

  private void send(
      String event, String severity, String message, String phase, String status, String reportKey, boolean await) {
    if (!enabled) {
      return;
    }
    WorkflowInfo info = Workflow.getInfo();
    Notification n =
        new Notification(
            service, event, severity, message, info.getWorkflowId(), info.getRunId(), runbook, phase, status, reportKey);
    if (!await) {
      pending.add(Async.function(notify::notify, n));
      return;
    }
    try {
      notify.notify(n);
    } catch (RuntimeException e) {
      log.warn("notification {} not delivered: {}", event, Failures.describe(e));
    }
  }

  private String what() {
    if (label != null) {
      return Character.toUpperCase(label.charAt(0)) + label.substring(1);
    }
    if (Runbook.DRILL.workflowType().equals(runbook)) {
      return "Restore drill";
    }
    if (Runbook.BACKUP.workflowType().equals(runbook)) {
      return "Backup";
    }
    return runbook;
  }
}
