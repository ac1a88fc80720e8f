package io.drflow.workflows.drill;

import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The monthly restore drill: restore the newest backup into a scratch database on the drill
 * server, prove it (row counts, foreign keys, indexes, the service's own assertions), measure the
 * RTO and RPO achieved, always clean up, and leave a report.
 */
@WorkflowInterface
public interface RestoreDrillWorkflow {

  String TYPE = "RestoreDrillWorkflow";

  /** Returns the report of a passed drill; a failed drill fails with the report as details. */
  @WorkflowMethod(name = TYPE)
  RunReport drill(DrillInput input);

  @QueryMethod(
      name = "progress",
      description = "Phase table: budgets, start/end, status, and the RTO remaining")
  Progress progress();

  @QueryMethod(name = "report", description = "The drill report so far (final once the run ends)")
  RunReport report();
}
