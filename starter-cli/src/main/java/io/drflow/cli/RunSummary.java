package io.drflow.cli;

import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.Runbook;
import java.time.Duration;
import java.util.Optional;

/**
 * The static summary and details a run carries in the Temporal UI from its start: which runbook,
 * which service, and the RTO it is measured against.
 */
final class RunSummary {

  private RunSummary() {}

  static String summary(Runbook runbook, String service, Optional<Duration> rto) {
    return title(runbook) + " of " + service + rtoSuffix(rto);
  }

  static String scheduledSummary(Runbook runbook, String service, Optional<Duration> rto) {
    return "Scheduled " + title(runbook).toLowerCase(java.util.Locale.ROOT) + " of " + service + rtoSuffix(rto);
  }

  private static String rtoSuffix(Optional<Duration> rto) {
    return rto.map(d -> " · RTO " + Durations.human(d.toSeconds())).orElse("");
  }

  /** Markdown shown under the summary. */
  static String details(Runbook runbook, String service, Optional<Duration> rto, String startedBy) {
    return "| | |\n|---|---|\n"
        + "| Runbook | " + runbook.workflowType() + " |\n"
        + "| Service | " + service + " |\n"
        + "| RTO | " + rto.map(d -> Durations.human(d.toSeconds())).orElse("as configured on the worker") + " |\n"
        + "| Started by | " + startedBy + " |\n";
  }

  static String title(Runbook runbook) {
    return switch (runbook) {
      case BACKUP -> "Backup";
      case DRILL -> "Restore drill";
      case RECOVERY -> "Recovery";
      case FAILOVER -> "Failover";
    };
  }
}
