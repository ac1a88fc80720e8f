package io.drflow.cli;

import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the phase table as one progress bar per phase: elapsed against budget. */
final class ProgressView {

  private static final int WIDTH = 24;

  private ProgressView() {}

  static List<String> lines(Progress p) {
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            Locale.ROOT,
            "%s %s  elapsed %s of RTO %s  [%s]",
            p.runbook(),
            p.service(),
            Durations.human(p.elapsedSeconds()),
            Durations.human(p.rtoSeconds()),
            p.rtoStatus()));
    for (Phase ph : p.phases()) {
      out.add(line(ph));
    }
    return out;
  }

  static String line(Phase ph) {
    double fraction = ph.budgetSeconds() > 0 ? ph.seconds() / ph.budgetSeconds() : 0;
    int filled = (int) Math.min(WIDTH, Math.round(fraction * WIDTH));
    if (ph.status() == PhaseStatus.COMPLETED && filled == 0) {
      filled = 1;
    }
    String bar =
        ph.status() == PhaseStatus.PENDING || ph.status() == PhaseStatus.SKIPPED
            ? " ".repeat(WIDTH)
            : "#".repeat(filled) + (ph.status() == PhaseStatus.RUNNING ? ">" : "") + ".".repeat(Math.max(0, WIDTH - filled - (ph.status() == PhaseStatus.RUNNING ? 1 : 0)));
    return String.format(
        Locale.ROOT,
        "  %-12s [%s] %7.1fs / %-8s %-9s%s%s",
        ph.name(),
        bar.substring(0, WIDTH),
        ph.seconds(),
        ph.budgetSeconds() > 0 ? Durations.human(ph.budgetSeconds()) : "-",
        ph.status(),
        ph.overBudget() ? " OVER BUDGET" : "",
        ph.note() == null ? "" : "  " + abbreviate(ph.note(), 100));
  }

  private static String abbreviate(String s, int max) {
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }
}
