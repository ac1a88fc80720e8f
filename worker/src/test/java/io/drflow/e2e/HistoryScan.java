package io.drflow.e2e;

import com.google.protobuf.ByteString;
import io.drflow.worker.HistoryText;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads every workflow run the server knows (ListWorkflowExecutions, all pages) and searches each
 * history, payloads decoded, for every configured secret value.
 */
final class HistoryScan {

  /**
   * @param runs runs listed and scanned
   * @param events history events read
   * @param occurrences secret values found, summed over secrets and runs (0 is the only good value)
   * @param where "workflowId/runId: ENV_NAME" for each run a secret was found in
   * @param positiveControl the scan did read decoded payloads (a service name and a scratch
   *     database name inside inputs and results)
   */
  record Result(int runs, long events, long occurrences, List<String> where, boolean positiveControl) {}

  private HistoryScan() {}

  static Result scan(WorkflowClient client, Map<String, String> secrets) {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse page =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listWorkflowExecutions(
                  ListWorkflowExecutionsRequest.newBuilder()
                      .setNamespace("default")
                      .setPageSize(200)
                      .setNextPageToken(token)
                      .build());
      runs.addAll(page.getExecutionsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    long events = 0;
    long found = 0;
    boolean sawService = false;
    boolean sawScratch = false;
    List<String> where = new ArrayList<>();
    for (WorkflowExecutionInfo run : runs) {
      WorkflowExecutionHistory h =
          client.fetchHistory(run.getExecution().getWorkflowId(), run.getExecution().getRunId());
      events += h.getEvents().size();
      String text = HistoryText.of(h);
      sawService |= text.contains("\"service\":\"" + ChaosRig.SERVICE + "\"");
      sawScratch |= text.contains("drill_" + ChaosRig.SERVICE + "_");
      for (Map.Entry<String, String> s : secrets.entrySet()) {
        int n = count(text, s.getValue());
        if (n > 0) {
          found += n;
          where.add(run.getExecution().getWorkflowId() + "/" + run.getExecution().getRunId() + ": " + s.getKey() + " x" + n);
        }
      }
    }
    return new Result(runs.size(), events, found, where, sawService && sawScratch);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }
}
