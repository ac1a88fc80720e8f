package io.drflow.workflows.model;

import java.util.Locale;

/** Renders a {@link RunReport} for people: responders in a terminal, auditors in the bucket. */
public final class RunReportMarkdown {

  private RunReportMarkdown() {}

  public static String render(RunReport r) {
    StringBuilder md = new StringBuilder();
    md.append("# ")
        .append(r.runbook())
        .append(" of `")
        .append(r.service())
        .append("`: ")
        .append(r.status())
        .append("\n\n");
    md.append("- Workflow: `").append(r.workflowId()).append("` run `").append(r.runId()).append("`\n");
    md.append("- Started: ").append(r.startedAt()).append(", ended: ").append(r.endedAt()).append('\n');
    if (r.backup() != null) {
      md.append("- Backup: `")
          .append(r.backup().key())
          .append("` taken ")
          .append(r.backup().createdAt())
          .append(", sha256 `")
          .append(r.backup().sha256())
          .append("`, ")
          .append(Bytes.human(r.backup().storedBytes()))
          .append(" stored\n");
    }
    if (r.rto() != null) {
      md.append("- RTO: ").append(objective(r.rto())).append('\n');
    }
    if (r.rpo() != null) {
      md.append("- RPO: ").append(objective(r.rpo())).append('\n');
    }
    if (r.scratch() != null && r.scratch().database() != null) {
      md.append("- Scratch database: `")
          .append(r.scratch().database())
          .append("` on ")
          .append(r.scratch().server())
          .append(r.scratch().kept() ? " (kept as asked)" : r.scratch().dropped() ? " (dropped)" : " (NOT dropped)")
          .append('\n');
    }
    if (r.error() != null) {
      md.append("- Error: ").append(r.error().replace('\n', ' ')).append('\n');
    }
    md.append("\n## Phases\n\n| Phase | Status | Seconds | Budget | Over budget | Note |\n|---|---|---|---|---|---|\n");
    for (Phase p : r.phases()) {
      md.append("| ")
          .append(p.name())
          .append(" | ")
          .append(p.status())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", p.seconds()))
          .append(" | ")
          .append(p.budgetSeconds() > 0 ? Durations.human(p.budgetSeconds()) : "")
          .append(" | ")
          .append(p.overBudget() ? "yes" : "")
          .append(" | ")
          .append(p.pipelined() ? "pipelined " : "")
          .append(p.note() == null ? "" : p.note().replace('|', '/').replace('\n', ' '))
          .append(" |\n");
    }
    if (r.failover() != null) {
      FailoverMarkdown.append(md, r.failover());
    }
    if (r.recovery() != null) {
      RecoveryMarkdown.append(md, r.recovery());
    }
    if (r.checks() != null && !r.checks().isEmpty()) {
      md.append("\n## Checks\n\n| Check | Result | Detail |\n|---|---|---|\n");
      for (Check c : r.checks()) {
        md.append("| ")
            .append(c.name().replace('|', '/'))
            .append(" | ")
            .append(c.passed() ? "pass" : "**FAIL**")
            .append(" | ")
            .append(c.detail() == null ? "" : c.detail().replace('|', '/').replace('\n', ' '))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String objective(Objective o) {
    if (o.achievedSeconds() == null) {
      return "target " + Durations.human(o.targetSeconds()) + ", not reached";
    }
    return "target "
        + Durations.human(o.targetSeconds())
        + ", achieved "
        + Durations.human(o.achievedSeconds())
        + (Boolean.TRUE.equals(o.met()) ? " (met)" : " (**missed**)");
  }
}
