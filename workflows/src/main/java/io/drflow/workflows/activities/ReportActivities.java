package io.drflow.workflows.activities;

import io.drflow.workflows.model.RunReport;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Keeps run reports as evidence beside the backups. */
@ActivityInterface
public interface ReportActivities {

  /** Writes the report as JSON and Markdown; returns the JSON object's key. Idempotent. */
  @ActivityMethod(name = "StoreReport")
  String store(RunReport report);
}
