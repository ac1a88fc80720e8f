package io.drflow.workflows.catalog;

import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import java.util.List;

public class ListBackupsWorkflowImpl implements ListBackupsWorkflow {

  private final CatalogActivities catalog =
      ActivityStubs.stub(CatalogActivities.class, ActivityStubs.quick(), "List backups");

  @Override
  public List<BackupRef> list(Request request) {
    if (request != null && request.problem() != null) {
      throw Failures.invalidInput(request.problem());
    }
    Failures.requireService(request == null ? null : request.service());
    int limit = request.limit() == null ? 20 : request.limit();
    if (limit < 1 || limit > 1000) {
      throw Failures.invalidInput("limit must be between 1 and 1000, got " + limit);
    }
    return catalog.listBackups(request.service(), limit);
  }
}
