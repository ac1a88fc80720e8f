package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.schedule.RunbookSchedule;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesiredScheduleTest {

  private static DesiredSchedule drill(RunbookSchedule s) {
    return new DesiredSchedule("shop", Runbook.DRILL, s, "drflow", Optional.of(Duration.ofMinutes(15)));
  }

  @Test
  void namesIdsAfterServiceAndRunbook() {
    DesiredSchedule d = drill(RunbookSchedule.cron("0 4 1 * *"));
    assertThat(d.id()).isEqualTo("drflow-shop-drill");
    assertThat(d.workflowIdBase()).isEqualTo("drill-shop");
    assertThat(d.summary()).isEqualTo("Scheduled restore drill of shop · RTO 15m 00s");
  }

  @Test
  void buildsTheScheduleTheConfigDescribes() {
    RunbookSchedule cfg =
        new RunbookSchedule("0 4 1 * *", "Europe/Berlin", Duration.ofMinutes(10), "bufferOne", Duration.ofHours(2), null);
    Schedule s = drill(cfg).toSchedule(null);
    ScheduleActionStartWorkflow a = (ScheduleActionStartWorkflow) s.getAction();
    assertThat(a.getWorkflowType()).isEqualTo("RestoreDrillWorkflow");
    assertThat(a.getOptions().getTaskQueue()).isEqualTo("drflow");
    assertThat(a.getOptions().getWorkflowId()).isEqualTo("drill-shop");
    assertThat(a.getOptions().getStaticSummary()).isEqualTo("Scheduled restore drill of shop · RTO 15m 00s");
    assertThat(a.getOptions().getMemo()).containsKey(DesiredSchedule.SETTINGS_MEMO);
    assertThat(s.getSpec().getCronExpressions()).containsExactly("0 4 1 * *");
    assertThat(s.getSpec().getTimeZoneName()).isEqualTo("Europe/Berlin");
    assertThat(s.getSpec().getJitter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.getPolicy().getOverlap()).isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
    assertThat(s.getPolicy().getCatchupWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(s.getPolicy().isPauseOnFailure()).as("drills pause on failure by default").isTrue();
    assertThat(s.getState().getNote()).isEqualTo(DesiredSchedule.CREATED_NOTE);
    ScheduleState paused = ScheduleState.newBuilder().setPaused(true).setNote("investigating").build();
    assertThat(drill(cfg).toSchedule(paused).getState()).isSameAs(paused);
  }

  @Test
  void fingerprintIsStableAndSeesEverySetting() {
    RunbookSchedule base = RunbookSchedule.cron("0 4 1 * *");
    String fp = drill(base).fingerprint();
    assertThat(drill(RunbookSchedule.cron("0 4 1 * *")).fingerprint()).isEqualTo(fp);
    assertThat(drill(new RunbookSchedule("0 4 1 * *", "UTC", null, "skip", null, true)).fingerprint())
        .as("spelling out the defaults changes nothing")
        .isEqualTo(fp);
    List<RunbookSchedule> variants =
        List.of(
            RunbookSchedule.cron("0 5 1 * *"),
            new RunbookSchedule("0 4 1 * *", "Europe/Berlin", null, null, null, null),
            new RunbookSchedule("0 4 1 * *", null, Duration.ofMinutes(1), null, null, null),
            new RunbookSchedule("0 4 1 * *", null, null, "allowAll", null, null),
            new RunbookSchedule("0 4 1 * *", null, null, null, Duration.ofHours(1), null),
            new RunbookSchedule("0 4 1 * *", null, null, null, null, false));
    for (RunbookSchedule v : variants) {
      assertThat(drill(v).fingerprint()).as(v.toString()).isNotEqualTo(fp);
    }
    assertThat(new DesiredSchedule("shop", Runbook.DRILL, base, "other-queue", Optional.empty()).fingerprint())
        .isNotEqualTo(fp);
  }

  @Test
  void desiredSchedulesComeFromEveryServiceInIdOrder(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("drflow.yaml");
    Files.writeString(
        f,
        """
        services:
          shop:
            schedules:
              drill: {cron: "0 4 1 * *"}
              backup: {cron: "0 */6 * * *"}
          billing:
            schedules:
              backup: {cron: "@daily"}
          ledger: {}
        """);
    List<DesiredSchedule> all = DesiredSchedule.from(CliConfig.load(f));
    assertThat(all).extracting(DesiredSchedule::id)
        .containsExactly("drflow-billing-backup", "drflow-shop-backup", "drflow-shop-drill");
    assertThat(all.get(1).toSchedule(null).getPolicy().isPauseOnFailure())
        .as("backups keep trying by default")
        .isFalse();
    assertThat(all.get(0).settings()).containsEntry("cron", "@daily").containsEntry("overlap", "skip");
    assertThat(((ScheduleActionStartWorkflow) all.get(0).toSchedule(null).getAction()).getArguments())
        .isNotNull();
    assertThat(all.get(0).settings().get("fingerprint")).isEqualTo(all.get(0).fingerprint());
  }
}
