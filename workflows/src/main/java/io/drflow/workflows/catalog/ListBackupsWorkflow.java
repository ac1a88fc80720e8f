package io.drflow.workflows.catalog;

import io.drflow.workflows.model.BackupRef;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Lists a service's backups through the worker, so responders' machines need Temporal access
 * only, never the bucket's credentials.
 */
@WorkflowInterface
public interface ListBackupsWorkflow {

  String TYPE = "ListBackupsWorkflow";

  record Request(String service, Integer limit) {}

  @WorkflowMethod(name = TYPE)
  List<BackupRef> list(Request request);
}
