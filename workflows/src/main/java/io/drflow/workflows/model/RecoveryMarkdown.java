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
    approvals(md, d.approvals());
    rollback(md, d.rollback());
    warnings(md, d.warnings());
  }

  static void approvals(StringBuilder md, List<Approval> approvals) {
    if (approvals != null && !approvals.isEmpty()) {
      md.append("\n### Approvals\n\n| Step | By | At | Via | Comment |\n|---|---|---|---|---|\n");
      for (Approval a : approvals) {
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
  }

  static void rollback(StringBuilder md, List<RecoveryDetails.RollbackStep> rollback) {
    if (rollback != null && !rollback.isEmpty()) {
      md.append("\n### Rollback\n\n| Step | Status | Detail |\n|---|---|---|\n");
      for (RecoveryDetails.RollbackStep s : rollback) {
        md.append("| ")
            .append(cell(s.step()))
            .append(" | ")
            .append("FAILED".equals(s.status()) ? "**FAILED**" : s.status())
            .append(" | ")
            .append(cell(s.detail()))
            .append(" |\n");
      }
    }
  }

  static void warnings(StringBuilder md, List<String> warnings) {
    if (warnings != null && !warnings.isEmpty()) {
      md.append("\n### Warnings\n\n");
      warnings.forEach(w -> md.append("- ").append(w.replace('\n', ' ')).append('\n'));
    }
  }

  static void line(StringBuilder md, String label, String value) {
    if (value != null) {
      md.append("- ").append(label).append(": ").append(value.replace('\n', ' ')).append('\n');
    }
  }

  static String code(String s) {
    return s == null ? null : "`" + s + "`";
  }

  static String cell(String s) {
    return s == null ? "" : s.replace('|', '/').replace('\n', ' ');
  }
}
