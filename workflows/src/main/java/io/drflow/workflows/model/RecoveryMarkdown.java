package io.drflow.workflows.model;

import java.util.List;

/** The recovery section of a report: databases, approvals, writers, rollback, warnings. */
final class RecoveryMarkdown {

  private RecoveryMarkdown() {}

  static void append(StringBuilder md, RecoveryDetails d) {
    md.append("\n## Recovery\n\n");
    line(md, "Incident start (RTO clock)", d.incidentStart());
    line(md, "Server", d.server());
    line(md, "Production database", code(d.productionDatabase()));
    line(md, "Restored into", code(d.restoredDatabase()));
    line(md, "Damaged database kept as", code(d.preRecoveryDatabase()));
    line(md, "Assessment", d.assessment());
    line(md, "Backup chosen", d.backupSelection());
    line(md, "Safety copy", d.safetyCopy() == null ? null : code(d.safetyCopy()));
    line(md, "Health check", d.healthCheck());
    if (d.abortReason() != null) {
      line(md, "Aborted", "by " + d.abortedBy() + ": " + d.abortReason());
    }
    if (d.deployments() != null && !d.deployments().isEmpty()) {
      md.append("- Writers (replicas before the run): ");
      List<String> parts =
          d.deployments().stream().map(r -> "`" + r.name() + "` " + r.replicas()).toList();
      md.append(String.join(", ", parts)).append('\n');
    }
    if (d.approvals() != null && !d.approvals().isEmpty()) {
      md.append("\n### Approvals\n\n| Step | By | At | Via | Comment |\n|---|---|---|---|---|\n");
      for (Approval a : d.approvals()) {
        md.append("| ")
            .append(cell(a.step()))
            .append(" | ")
            .append(cell(a.by()))
            .append(" | ")
            .append(cell(a.at()))
            .append(" | ")
            .append(cell(a.via()))
            .append(" | ")
            .append(cell(a.comment()))
            .append(" |\n");
      }
    }
    if (d.rollback() != null && !d.rollback().isEmpty()) {
      md.append("\n### Rollback\n\n| Step | Status | Detail |\n|---|---|---|\n");
      for (RecoveryDetails.RollbackStep s : d.rollback()) {
        md.append("| ")
            .append(cell(s.step()))
            .append(" | ")
            .append("FAILED".equals(s.status()) ? "**FAILED**" : s.status())
            .append(" | ")
            .append(cell(s.detail()))
            .append(" |\n");
      }
    }
    if (d.warnings() != null && !d.warnings().isEmpty()) {
      md.append("\n### Warnings\n\n");
      d.warnings().forEach(w -> md.append("- ").append(w.replace('\n', ' ')).append('\n'));
    }
  }

  private static void line(StringBuilder md, String label, String value) {
    if (value != null) {
      md.append("- ").append(label).append(": ").append(value.replace('\n', ' ')).append('\n');
    }
  }

  private static String code(String s) {
    return s == null ? null : "`" + s + "`";
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace('|', '/').replace('\n', ' ');
  }
}
