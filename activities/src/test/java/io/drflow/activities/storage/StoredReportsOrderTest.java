package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.runbook.StoredReports;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which stored report is the newest, when the bucket's listing cannot tell (same second). */
class StoredReportsOrderTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("drflow");

  @Test
  void theRunStartedLastIsTheNewestEvenWhenItsKeySortsFirst() throws Exception {
    String service = "ordered";
    // Written in run order, usually within one second: the listing's times tie, and the key of
    // the later run sorts before the earlier one's.
    store(service, "backup-ordered-z-earlier", "2026-11-22T05:00:00Z", "2026-11-22T05:00:01Z");
    store(service, "backup-ordered-a-later", "2026-11-22T05:00:02Z", "2026-11-22T05:00:03Z");

    List<RunSummary> newest = new StoredReports(store, LAYOUT).newest(service, s -> true, 1);

    assertThat(newest).extracting(RunSummary::workflowId).containsExactly("backup-ordered-a-later");
    assertThat(new StoredReports(store, LAYOUT).newest(service, s -> true, 5))
        .extracting(RunSummary::workflowId)
        .containsExactly("backup-ordered-a-later", "backup-ordered-z-earlier");
  }

  private void store(String service, String workflowId, String startedAt, String endedAt) throws Exception {
    RunReport r = new RunReport(workflowId, "run-" + workflowId, "BackupWorkflow", "COMPLETED", service,
        startedAt, endedAt, null, List.of(), null, null, null, List.of(), null, null, null);
    store.putJson(LAYOUT.reportJsonKey(service, workflowId), r);
  }
}
