package io.drflow.workflows.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.RunSummary;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RunHistoryWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension ext =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(RunHistoryWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());
  private Worker worker;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker) {
    this.worker = worker;
    worker.registerActivitiesImplementations(reports);
    env.start();
  }

  RunHistoryWorkflow wf(WorkflowClient client) {
    return client.newWorkflowStub(
        RunHistoryWorkflow.class, WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build());
  }

  static RunSummary drill(String id) {
    return new RunSummary(id, "r", "RestoreDrillWorkflow", "PASSED", "shop", null, null, null, null, 0, 0, null, null, 0, 0, Map.of(), null);
  }

  @Test
  void defaultsToTheLastTenDrills(WorkflowClient client) {
    when(reports.listRuns("shop", "drill", 10)).thenReturn(List.of(drill("d2"), drill("d1")));

    List<RunSummary> runs = wf(client).history(new RunHistoryWorkflow.Request("shop", null, null));

    assertThat(runs).extracting(RunSummary::workflowId).containsExactly("d2", "d1");
  }

  @Test
  void badInputFailsBeforeReadingAnything(WorkflowClient client) {
    for (RunHistoryWorkflow.Request bad :
        List.of(
            new RunHistoryWorkflow.Request("shop", "drill", 0),
            new RunHistoryWorkflow.Request("shop", "drill", 201),
            new RunHistoryWorkflow.Request("shop", "drils", 5),
            new RunHistoryWorkflow.Request(" ", "drill", 5))) {
      assertThatThrownBy(() -> wf(client).history(bad))
          .as(bad.toString())
          .isInstanceOf(WorkflowFailedException.class)
          .satisfies(e -> assertThat(((ApplicationFailure) e.getCause()).getType()).isEqualTo("InvalidInput"));
    }
    verify(reports, never()).listRuns(anyString(), anyString(), anyInt());
  }
}
