package io.drflow.workflows.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The phase table of one run, timed against per-phase budgets and the service's RTO. Pure and
 * deterministic: every method takes "now" from the caller (the workflow passes {@code
 * Workflow.currentTimeMillis()}), so the same history always yields the same table.
 */
public final class PhaseClock {

  private static final class Row {
    final String name;
    final long budgetSeconds;
    Long startedAt;
    Long endedAt;
    PhaseStatus status = PhaseStatus.PENDING;
    boolean pipelined;
    String note;

    Row(String name, long budgetSeconds) {
      this.name = name;
      this.budgetSeconds = budgetSeconds;
    }

    long elapsedMillis(long now) {
      if (startedAt == null) {
        return 0;
      }
      return Math.max(0, (endedAt != null ? endedAt : now) - startedAt);
    }

    boolean overBudget(long now) {
      return budgetSeconds > 0 && elapsedMillis(now) > budgetSeconds * 1000;
    }
  }

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private final long rtoStartMillis;
  private final long rtoSeconds;

  public PhaseClock(
      List<String> phaseNames, Map<String, Long> budgets, long rtoStartMillis, long rtoSeconds) {
    for (String name : phaseNames) {
      Long budget = budgets.get(name);
      rows.put(name, new Row(name, budget == null ? 0 : budget));
    }
    this.rtoStartMillis = rtoStartMillis;
    this.rtoSeconds = rtoSeconds;
  }

  public long rtoStartMillis() {
    return rtoStartMillis;
  }

  public long rtoSeconds() {
    return rtoSeconds;
  }

  public void start(String name, long now) {
    Row row = row(name);
    row.startedAt = now;
    row.endedAt = null;
    row.status = PhaseStatus.RUNNING;
  }

  /** Starts phases that run concurrently as one stream and therefore share one window. */
  public void startPipelined(List<String> names, long now) {
    for (String name : names) {
      start(name, now);
      row(name).pipelined = true;
    }
  }

  public void complete(String name, long now) {
    finish(name, now, PhaseStatus.COMPLETED, null);
  }

  public void complete(String name, long now, String note) {
    finish(name, now, PhaseStatus.COMPLETED, note);
  }

  public void fail(String name, long now, String note) {
    finish(name, now, PhaseStatus.FAILED, note);
  }

  public void cancel(String name, long now, String note) {
    finish(name, now, PhaseStatus.CANCELLED, note);
  }

  public void skip(String name, String note) {
    Row row = row(name);
    row.status = PhaseStatus.SKIPPED;
    row.note = note;
  }

  /** Replaces a phase's window with one measured where the work ran (inside an activity). */
  public void retime(String name, long startedAt, long endedAt) {
    Row row = row(name);
    row.startedAt = startedAt;
    row.endedAt = Math.max(startedAt, endedAt);
  }

  public void note(String name, String note) {
    row(name).note = note;
  }

  public PhaseStatus status(String name) {
    return row(name).status;
  }

  /** Marks every phase still running as failed or cancelled; pending ones stay pending. */
  public void abortRunning(long now, PhaseStatus as, String note) {
    for (Row row : rows.values()) {
      if (row.status == PhaseStatus.RUNNING) {
        finish(row.name, now, as, note);
      }
    }
  }

  private void finish(String name, long now, PhaseStatus status, String note) {
    Row row = row(name);
    if (row.startedAt == null) {
      row.startedAt = now;
    }
    row.endedAt = now;
    row.status = status;
    if (note != null) {
      row.note = note;
    }
  }

  private Row row(String name) {
    Row row = rows.get(name);
    if (row == null) {
      throw new IllegalArgumentException("unknown phase " + name);
    }
    return row;
  }

  public long elapsedSeconds(long now) {
    return Math.max(0, (now - rtoStartMillis) / 1000);
  }

  public long rtoRemainingSeconds(long now) {
    return rtoSeconds - elapsedSeconds(now);
  }

  public RtoStatus rtoStatus(long now) {
    if (now - rtoStartMillis > rtoSeconds * 1000) {
      return RtoStatus.BREACHED;
    }
    for (Row row : rows.values()) {
      if (row.overBudget(now)) {
        return RtoStatus.AT_RISK;
      }
    }
    return RtoStatus.ON_TRACK;
  }

  /**
   * The next instant after {@code now} at which the table changes colour by itself: a running
   * phase crossing its budget, or the RTO running out. The workflow sleeps until then so the
   * status flips while the phase is still running, not when it ends.
   */
  public Long nextDeadline(long now) {
    long next = Long.MAX_VALUE;
    long rtoEnd = rtoStartMillis + rtoSeconds * 1000 + 1;
    if (rtoEnd > now) {
      next = rtoEnd;
    }
    for (Row row : rows.values()) {
      if (row.status == PhaseStatus.RUNNING && row.budgetSeconds > 0 && row.startedAt != null) {
        long over = row.startedAt + row.budgetSeconds * 1000 + 1;
        if (over > now) {
          next = Math.min(next, over);
        }
      }
    }
    return next == Long.MAX_VALUE ? null : next;
  }

  public List<Phase> table(long now) {
    List<Phase> out = new ArrayList<>(rows.size());
    for (Row row : rows.values()) {
      out.add(
          new Phase(
              row.name,
              row.budgetSeconds,
              iso(row.startedAt),
              iso(row.endedAt),
              row.elapsedMillis(now) / 1000.0,
              row.status,
              row.overBudget(now),
              row.pipelined,
              row.note));
    }
    return out;
  }

  public Progress progress(long now, String runbook, String service) {
    return new Progress(
        runbook,
        service,
        iso(rtoStartMillis),
        rtoSeconds,
        elapsedSeconds(now),
        rtoRemainingSeconds(now),
        rtoStatus(now),
        table(now));
  }

  static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
