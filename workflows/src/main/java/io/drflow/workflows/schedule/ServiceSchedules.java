package io.drflow.workflows.schedule;

import io.drflow.workflows.model.Runbook;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code services.<name>.schedules}: at most one schedule per runbook. */
public record ServiceSchedules(RunbookSchedule backup, RunbookSchedule drill) {

  /** The configured schedules, backup first. */
  public Map<Runbook, RunbookSchedule> byRunbook() {
    Map<Runbook, RunbookSchedule> m = new LinkedHashMap<>();
    if (backup != null) {
      m.put(Runbook.BACKUP, backup);
    }
    if (drill != null) {
      m.put(Runbook.DRILL, drill);
    }
    return m;
  }

  /** Problems of every configured schedule; {@code at} is {@code services.<name>.schedules}. */
  public List<String> problems(String at) {
    List<String> out = new ArrayList<>();
    byRunbook().forEach((rb, s) -> out.addAll(s.problems(at + "." + rb.id())));
    return out;
  }
}
