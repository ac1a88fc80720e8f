package io.drflow.workflows.backup;

import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Takes a consistent backup of a service's database: snapshot, then dump → compress → checksum →
 * upload as one stream, then the manifest that publishes it, then retention.
 */
@WorkflowInterface
public interface BackupWorkflow {

  String TYPE = "BackupWorkflow";

  @WorkflowMethod(name = TYPE)
  RunReport backup(BackupInput input);

  @QueryMethod(
      name = "progress",
      description = "Phase table: budgets, start/end, status, and the RTO remaining")
  Progress progress();

  @QueryMethod(name = "report", description = "The backup report so far (final once the run ends)")
  RunReport report();
}
