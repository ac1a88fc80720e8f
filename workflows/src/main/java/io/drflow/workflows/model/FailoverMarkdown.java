package io.drflow.workflows.model;

/** The failover section of a report: readiness, DNS change, regions, approvals, rollback. */
final class FailoverMarkdown {

  private FailoverMarkdown() {}

  static void append(StringBuilder md, FailoverDetails d) {
    md.append("\n## ").append(d.direction().equals("failback") ? "Failback" : "Failover")
        .append(d.drill() ? " (DRILL: everything changed was put back; production record untouched)" : "")
        .append("\n\n");
    RecoveryMarkdown.line(md, "From region", d.from());
    RecoveryMarkdown.line(md, "To region", d.to());
    RecoveryMarkdown.line(md, "Incident start (RTO clock)", d.incidentStart());
    RecoveryMarkdown.line(md, "DNS record", RecoveryMarkdown.code(d.record()));
    RecoveryMarkdown.line(md, "Record value before", d.previousValue());
    RecoveryMarkdown.line(md, "Record value set", d.newValue());
    RecoveryMarkdown.line(md, "Route53 change id", d.dnsChangeId() == null ? "none (no change was needed or made)" : d.dnsChangeId());
    RecoveryMarkdown.line(md, "DR database", d.database());
    if (d.drScaledFrom() != null && !d.drScaledFrom().isEmpty()) {
      RecoveryMarkdown.line(md, "DR Deployments before the scale-up", String.join(", ",
          d.drScaledFrom().stream().map(r -> "`" + r.name() + "` " + r.replicas()).toList()));
    }
    RecoveryMarkdown.line(md, "Health check", d.healthCheck());
    RecoveryMarkdown.line(md, "Old region scale-down", d.primaryScaleDown());
    if (d.abortReason() != null) {
      RecoveryMarkdown.line(md, "Aborted", "by " + d.abortedBy() + ": " + d.abortReason());
    }
    if (d.readiness() != null && !d.readiness().isEmpty()) {
      md.append("\n### Readiness\n\n| Check | Passed | Detail |\n|---|---|---|\n");
      for (Check c : d.readiness()) {
        md.append("| ").append(RecoveryMarkdown.cell(c.name())).append(" | ")
            .append(c.passed() ? "yes" : "**NO**").append(" | ")
            .append(RecoveryMarkdown.cell(c.detail())).append(" |\n");
      }
    }
    RecoveryMarkdown.approvals(md, d.approvals());
    RecoveryMarkdown.rollback(md, d.rollback());
    RecoveryMarkdown.warnings(md, d.warnings());
  }
}
