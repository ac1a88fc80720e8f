package io.drflow.workflows.model;

import java.util.Locale;

/**
 * Renders a {@link Progress} as the Markdown table shown in the Temporal UI's "current details"
 * and in reports.
 */
public final class PhaseTableMarkdown {

  private PhaseTableMarkdown() {}

  public static String render(Progress p) {
    StringBuilder md = new StringBuilder();
    md.append("**")
        .append(p.runbook())
        .append("** for `")
        .append(p.service())
        .append("` — RTO ")
        .append(Durations.human(p.rtoSeconds()))
        .append(", elapsed ")
        .append(Durations.human(p.elapsedSeconds()))
        .append(", **")
        .append(p.rtoStatus())
        .append("**\n\n");
    md.append("| Phase | Status | Elapsed | Budget | |\n|---|---|---|---|---|\n");
    for (Phase ph : p.phases()) {
      md.append("| ")
          .append(ph.name())
          .append(" | ")
          .append(ph.status())
          .append(" | ")
          .append(ph.startedAt() == null ? "" : String.format(Locale.ROOT, "%.1fs", ph.seconds()))
          .append(" | ")
          .append(ph.budgetSeconds() > 0 ? Durations.human(ph.budgetSeconds()) : "")
          .append(" | ")
          .append(ph.overBudget() ? "over budget" : "")
          .append(ph.pipelined() ? " pipelined" : "")
          .append(ph.note() == null ? "" : " " + ph.note().replace('|', '/').replace('\n', ' '))
          .append(" |\n");
    }
    return md.toString();
  }
}
