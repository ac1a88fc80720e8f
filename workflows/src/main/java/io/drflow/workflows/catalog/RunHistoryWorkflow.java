package io.drflow.workflows.catalog;

import io.drflow.workflows.model.RunSummary;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * A service's past runs of one runbook, read from the stored reports through the worker (responders
 * need Temporal access only, never the bucket's credentials). {@code drctl history} uses it.
 */
@WorkflowInterface
public interface RunHistoryWorkflow {

  String TYPE = "RunHistoryWorkflow";
  int DEFAULT_LIMIT = 10;
  int MAX_LIMIT = 200;

  /**
   * @param runbook a runbook id; default {@code drill}
   * @param limit how many runs, newest first; default 10, at most 200
   */
  record Request(String service, String runbook, Integer limit) {}

  @WorkflowMethod(name = TYPE)
  List<RunSummary> history(Request request);
}
