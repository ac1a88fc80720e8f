package io.drflow.workflows.report;

import static io.drflow.workflows.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run report as one self-contained HTML page for auditors: the verdict, RTO and RPO against
 * their targets, a timeline of every phase against its budget with the RTO line, the checks with
 * their figures, the backup used and any approvals.
 *
 * <p>Renders the report's JSON tree rather than the record, so a report stored by an older or newer
 * drflow (or carrying sections this version does not model, such as a recovery's approvals)
 * renders with whatever it has. Pure and deterministic: the same report gives the same page.
 */
public final class RunReportHtml {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Below this share of the chart's span the run gets a second, zoomed timeline. */
  private static final double ZOOM_BELOW = 0.25;

  private RunReportHtml() {}

  public static String render(RunReport report) {
    return render(JSON.valueToTree(report));
  }

  public static String render(JsonNode r) {
    String service = text(r, "service");
    String runbook = text(r, "runbook");
    String status = text(r, "status");
    boolean drill = r.path("failover").path("drill").asBoolean(false);
    String title = what(r) + (drill ? " drill" : "") + " of " + (service == null ? "?" : service);
    StringBuilder html = new StringBuilder(24_000);
    Html.open(html, title + ": " + status);
    header(html, r, runbook, service, status);
    String error = text(r, "error");
    if (error != null && !error.isBlank()) {
      html.append("<div class=\"callout\"><strong>Error.</strong> ").append(esc(error)).append("</div>\n");
    }
    cards(html, r);
    timeline(html, r);
    phases(html, r);
    checks(html, r);
    backup(html, r);
    failover(html, r);
    approvals(html, r);
    failoverAftermath(html, r);
    scratch(html, r);
    footer(html, r);
    Html.close(html);
    return html.toString();
  }

  static String what(String runbook) {
    if (Runbook.DRILL.workflowType().equals(runbook)) {
      return "Restore drill";
    }
    if (Runbook.BACKUP.workflowType().equals(runbook)) {
      return "Backup";
    }
    if ("RecoveryWorkflow".equals(runbook)) {
      return "Recovery";
    }
    if (Runbook.FAILOVER.workflowType().equals(runbook)) {
      return "Failover";
    }
    return runbook == null ? "Run" : runbook;
  }

  /** Failover and failback are one runbook; the report says which it was. */
  private static String what(JsonNode r) {
    String runbook = text(r, "runbook");
    if (Runbook.FAILOVER.workflowType().equals(runbook) && "failback".equals(text(r.path("failover"), "direction"))) {
      return "Failback";
    }
    return what(runbook);
  }

  private static void header(StringBuilder html, JsonNode r, String runbook, String service, String status) {
    html.append("<header>\n<div class=\"eyebrow\">drflow · ")
        .append(esc(runbook))
        .append("</div>\n<h1>")
        .append(esc(what(r)))
        .append(" of <code>")
        .append(esc(service))
        .append("</code> <span class=\"badge ")
        .append(Html.tone(status))
        .append("\">")
        .append(esc(status))
        .append("</span>")
        .append(r.path("failover").path("drill").asBoolean(false) ? " <span class=\"badge info\">DRILL</span>" : "")
        .append("</h1>\n<p class=\"meta\">Started ")
        .append(esc(Html.instant(text(r, "startedAt"))));
    String ended = text(r, "endedAt");
    Double took = between(text(r, "startedAt"), ended);
    if (ended != null) {
      html.append(" · ended ").append(esc(Html.instant(ended)));
    } else {
      html.append(" · still running");
    }
    if (took != null) {
      html.append(" · took ").append(esc(Html.seconds(took)));
    }
    html.append("</p>\n</header>\n");
  }

  private static void cards(StringBuilder html, JsonNode r) {
    html.append("<section class=\"cards\">\n");
    objectiveCard(html, "RTO achieved", r.path("rto"), rtoMeaning(text(r, "runbook")));
    objectiveCard(html, "RPO achieved", r.path("rpo"), "data the restore would lose");
    JsonNode checks = r.path("checks");
    if (checks.isArray() && checks.size() > 0) {
      int passed = 0;
      for (JsonNode c : checks) {
        passed += c.path("passed").asBoolean(false) ? 1 : 0;
      }
      Html.card(html, passed == checks.size() ? "pass" : "fail", "Checks", passed + " / " + checks.size() + " passed",
          passed == checks.size() ? "every verification held" : (checks.size() - passed) + " failed");
    }
    JsonNode b = r.path("backup");
    if (b.isObject()) {
      Html.card(html, "info", "Data", Bytes.human(b.path("dumpBytes").asLong()),
          Bytes.human(b.path("storedBytes").asLong()) + " stored (compressed)");
    }
    Double took = between(text(r, "startedAt"), text(r, "endedAt"));
    String rtoStatus = text(r, "rtoStatus");
    if (took != null) {
      Html.card(html, Html.tone(rtoStatus), "Run took", Html.seconds(took),
          rtoStatus == null ? "" : "phase budgets: " + rtoStatus.replace('_', ' ').toLowerCase(Locale.ROOT));
    }
    html.append("</section>\n");
  }

  private static String rtoMeaning(String runbook) {
    if ("RecoveryWorkflow".equals(runbook)) {
      return "incident to recovered service";
    }
    if (Runbook.FAILOVER.workflowType().equals(runbook)) {
      return "incident to DNS pointing at the new region";
    }
    return "drill start to verified restore";
  }

  private static void objectiveCard(StringBuilder html, String label, JsonNode o, String meaning) {
    if (!o.isObject()) {
      return;
    }
    long target = o.path("targetSeconds").asLong();
    JsonNode achieved = o.path("achievedSeconds");
    if (achieved.isNumber()) {
      boolean met = o.path("met").asBoolean(false);
      Html.card(html, met ? "pass" : "fail", label, Durations.human(achieved.asLong()),
          "target " + Durations.human(target) + " · " + (met ? "met" : "MISSED") + " · " + meaning);
    } else {
      Html.card(html, "warn", label, "not reached", "target " + Durations.human(target) + " · " + meaning);
    }
  }

  private static void timeline(StringBuilder html, JsonNode r) {
    JsonNode phases = r.path("phases");
    if (!phases.isArray() || phases.isEmpty()) {
      return;
    }
    String t0 = clockStart(r);
    List<PhaseTimelineSvg.Bar> bars = new ArrayList<>();
    for (JsonNode p : phases) {
      bars.add(
          new PhaseTimelineSvg.Bar(
              text(p, "name"),
              text(p, "status"),
              between(t0, text(p, "startedAt")),
              p.path("seconds").asDouble(0),
              p.path("budgetSeconds").asLong(0),
              p.path("overBudget").asBoolean(false)));
    }
    Long target = r.path("rto").path("targetSeconds").isNumber() ? r.path("rto").path("targetSeconds").asLong() : null;
    JsonNode a = r.path("rto").path("achievedSeconds");
    Long achieved = a.isNumber() ? a.asLong() : null;
    double domain = PhaseTimelineSvg.domain(bars, target, achieved, true);
    html.append("<section>\n<h2>")
        .append(target != null ? "Phases against their budgets and the RTO" : "Phases against their budgets")
        .append("</h2>\n")
        .append(PhaseTimelineSvg.render(bars, target, achieved, true, domain,
            "Timeline of the phases: budget and time taken" + (target != null ? ", with the RTO" : "")));
    legend(html, target != null, achieved != null);
    double runEnd = PhaseTimelineSvg.runEnd(bars);
    if (runEnd > 0 && runEnd < domain * ZOOM_BELOW) {
      html.append("<h2 style=\"margin-top:18px\">The run itself, zoomed to its ")
          .append(esc(Html.seconds(runEnd)))
          .append("</h2>\n")
          // Achieved RTO is in whole seconds, rounded up: in a run this short it can fall after the end.
          .append(PhaseTimelineSvg.render(bars, null, achieved != null && achieved <= runEnd ? achieved : null, false,
              runEnd * 1.04, "Timeline of the phases as they ran"));
    }
    html.append("</section>\n");
  }

  private static void legend(StringBuilder html, boolean rto, boolean achieved) {
    html.append("<div class=\"legend\">")
        .append("<span><i style=\"background:#dfe5ee;border:1px solid #b8c2d3\"></i>budget</span>")
        .append("<span><i style=\"background:#1f8a4c\"></i>took (within budget)</span>")
        .append("<span><i style=\"background:#d08700\"></i>took (over budget)</span>")
        .append("<span><i style=\"background:#c62f2f\"></i>failed</span>");
    if (rto) {
      html.append("<span><i style=\"background:repeating-linear-gradient(90deg,#c62f2f 0 6px,transparent 6px 10px);height:3px\"></i>RTO</span>");
    }
    if (achieved) {
      html.append("<span><i style=\"background:#1f8a4c;height:3px\"></i>RTO achieved</span>");
    }
    html.append("</div>\n");
  }

  private static void phases(StringBuilder html, JsonNode r) {
    JsonNode phases = r.path("phases");
    if (!phases.isArray() || phases.isEmpty()) {
      return;
    }
    String t0 = clockStart(r);
    html.append("<section>\n<h2>Phases</h2>\n<table>\n<thead><tr><th>Phase</th><th>Status</th>")
        .append("<th class=\"num\">Started</th><th class=\"num\">Took</th><th class=\"num\">Budget</th>")
        .append("<th class=\"num\">Of budget</th><th>Note</th></tr></thead>\n<tbody>\n");
    for (JsonNode p : phases) {
      String status = text(p, "status");
      Double at = between(t0, text(p, "startedAt"));
      boolean ran = at != null;
      long budget = p.path("budgetSeconds").asLong(0);
      double seconds = p.path("seconds").asDouble(0);
      boolean over = p.path("overBudget").asBoolean(false);
      html.append("<tr").append("FAILED".equals(status) ? " class=\"bad\"" : "").append("><td>")
          .append(esc(text(p, "name")))
          .append("</td><td><span class=\"badge ").append(Html.tone(status)).append("\">").append(esc(status)).append("</span></td>")
          .append("<td class=\"num\">").append(ran ? "+" + esc(Html.seconds(at)) : "").append("</td>")
          .append("<td class=\"num\">").append(ran ? esc(Html.seconds(seconds)) : "").append("</td>")
          .append("<td class=\"num\">").append(budget > 0 ? esc(Durations.human(budget)) : "").append("</td>")
          .append("<td class=\"num\"").append(over ? " style=\"color:var(--warn);font-weight:600\"" : "").append(">")
          .append(ran && budget > 0 ? share(seconds, budget) : "")
          .append("</td><td>")
          .append(p.path("pipelined").asBoolean(false) ? "<span class=\"badge info\">pipelined</span> " : "")
          .append(esc(text(p, "note")))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</section>\n");
  }

  private static String share(double seconds, long budget) {
    double pct = 100 * seconds / budget;
    return pct > 0 && pct < 1 ? "&lt;1%" : String.format(Locale.ROOT, "%.0f%%", pct);
  }

  private static void checks(StringBuilder html, JsonNode r) {
    JsonNode checks = r.path("checks");
    if (!checks.isArray() || checks.isEmpty()) {
      return;
    }
    html.append("<section>\n<h2>Checks</h2>\n<table>\n<thead><tr><th>Check</th><th>Result</th><th>Figures</th></tr></thead>\n<tbody>\n");
    for (JsonNode c : checks) {
      boolean passed = c.path("passed").asBoolean(false);
      html.append("<tr").append(passed ? "" : " class=\"bad\"").append("><td>")
          .append(esc(text(c, "name")))
          .append("</td><td><span class=\"badge ").append(passed ? "pass" : "fail").append("\">")
          .append(passed ? "pass" : "FAIL")
          .append("</span></td><td class=\"mono\">")
          .append(esc(text(c, "detail")))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</section>\n");
  }

  private static void backup(StringBuilder html, JsonNode r) {
    JsonNode b = r.path("backup");
    if (!b.isObject()) {
      return;
    }
    html.append("<section>\n<h2>").append(Runbook.BACKUP.workflowType().equals(text(r, "runbook")) ? "Backup taken" : "Backup used")
        .append("</h2>\n<dl>\n");
    dl(html, "Key", "<code>" + esc(text(b, "key")) + "</code>");
    dl(html, "Snapshot", esc(Html.instant(text(b, "createdAt"))) + " <span class=\"meta\">(the point in time it restores to)</span>");
    dl(html, "SHA-256", "<code>" + esc(text(b, "sha256")) + "</code>");
    dl(html, "Size", esc(Bytes.human(b.path("dumpBytes").asLong())) + " dumped, "
        + esc(Bytes.human(b.path("storedBytes").asLong())) + " stored");
    html.append("</dl>\n</section>\n");
  }

  /** Approvals of gated steps (recovery runs): who allowed what, when, and how. */
  private static void approvals(StringBuilder html, JsonNode r) {
    JsonNode list = r.path("recovery").path("approvals");
    if (!list.isArray()) {
      list = r.path("failover").path("approvals");
    }
    if (!list.isArray()) {
      list = r.path("approvals");
    }
    if (!list.isArray() || list.isEmpty()) {
      return;
    }
    html.append("<section>\n<h2>Approvals</h2>\n<table>\n<thead><tr><th>Step</th><th>Approved by</th><th>At</th><th>Via</th><th>Comment</th></tr></thead>\n<tbody>\n");
    for (JsonNode a : list) {
      html.append("<tr><td>").append(esc(text(a, "step")))
          .append("</td><td>").append(esc(text(a, "by")))
          .append("</td><td class=\"num\">").append(esc(Html.instant(text(a, "at"))))
          .append("</td><td>").append(esc(text(a, "via")))
          .append("</td><td>").append(esc(text(a, "comment")))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</section>\n");
  }

  /** What a failover or failback did: regions, the DNS change, the DR data and scaling, readiness. */
  private static void failover(StringBuilder html, JsonNode r) {
    JsonNode f = r.path("failover");
    if (!f.isObject()) {
      return;
    }
    boolean drill = f.path("drill").asBoolean(false);
    html.append("<section>\n<h2>").append(esc(what(r)));
    if (drill) {
      html.append(" <span class=\"badge info\">DRILL</span>");
    }
    html.append("</h2>\n");
    if (drill) {
      html.append("<p class=\"meta\">A drill on the drill record: everything it changed was put back, the"
          + " production record was never touched.</p>\n");
    }
    html.append("<dl>\n");
    dl(html, "From region", esc(orDash(text(f, "from"))));
    dl(html, "To region", esc(orDash(text(f, "to"))));
    if (text(f, "incidentStart") != null) {
      dl(html, "Incident start", esc(Html.instant(text(f, "incidentStart"))) + " <span class=\"meta\">(the RTO clock)</span>");
    }
    dl(html, "DNS record", "<code>" + esc(text(f, "record")) + "</code>");
    dl(html, "Value before", text(f, "previousValue") == null ? "<span class=\"meta\">none (the record did not exist)</span>"
        : "<code>" + esc(text(f, "previousValue")) + "</code>");
    dl(html, "Value set", "<code>" + esc(text(f, "newValue")) + "</code>");
    dl(html, "Route53 change", text(f, "dnsChangeId") == null
        ? "<span class=\"meta\">none (no change was needed or made)</span>"
        : "<code>" + esc(text(f, "dnsChangeId")) + "</code>");
    dl(html, "DR database", esc(orDash(text(f, "database"))));
    JsonNode scaled = f.path("drScaledFrom");
    if (scaled.isArray() && !scaled.isEmpty()) {
      List<String> counts = new ArrayList<>();
      for (JsonNode d : scaled) {
        counts.add("<code>" + esc(text(d, "name")) + "</code> " + d.path("replicas").asInt());
      }
      dl(html, "DR Deployments before the scale-up", String.join(", ", counts));
    }
    dl(html, "Health check", esc(orDash(text(f, "healthCheck"))));
    dl(html, "Old region scale-down", esc(orDash(text(f, "primaryScaleDown"))));
    if (text(f, "abortReason") != null) {
      dl(html, "Aborted", "by " + esc(text(f, "abortedBy")) + ": " + esc(text(f, "abortReason")));
    }
    html.append("</dl>\n</section>\n");
    JsonNode readiness = f.path("readiness");
    if (readiness.isArray() && !readiness.isEmpty()) {
      html.append("<section>\n<h2>Readiness</h2>\n<table>\n<thead><tr><th>Check</th><th>Result</th><th>Detail</th></tr></thead>\n<tbody>\n");
      for (JsonNode c : readiness) {
        boolean passed = c.path("passed").asBoolean(false);
        html.append("<tr").append(passed ? "" : " class=\"bad\"").append("><td>")
            .append(esc(text(c, "name")))
            .append("</td><td><span class=\"badge ").append(passed ? "pass" : "fail").append("\">")
            .append(passed ? "pass" : "FAIL")
            .append("</span></td><td>")
            .append(esc(text(c, "detail")))
            .append("</td></tr>\n");
      }
      html.append("</tbody>\n</table>\n</section>\n");
    }
  }

  /** A failover's rollback (or a drill's put-back) and its warnings, after the approvals. */
  private static void failoverAftermath(StringBuilder html, JsonNode r) {
    JsonNode f = r.path("failover");
    if (!f.isObject()) {
      return;
    }
    JsonNode steps = f.path("rollback");
    if (steps.isArray() && !steps.isEmpty()) {
      html.append("<section>\n<h2>").append(f.path("drill").asBoolean(false) ? "Put back" : "Rollback")
          .append("</h2>\n<table>\n<thead><tr><th>Step</th><th>Status</th><th>Detail</th></tr></thead>\n<tbody>\n");
      for (JsonNode s : steps) {
        String status = text(s, "status");
        html.append("<tr").append("FAILED".equals(status) ? " class=\"bad\"" : "").append("><td>")
            .append(esc(text(s, "step")))
            .append("</td><td><span class=\"badge ").append(stepTone(status)).append("\">").append(esc(status))
            .append("</span></td><td>")
            .append(esc(text(s, "detail")))
            .append("</td></tr>\n");
      }
      html.append("</tbody>\n</table>\n</section>\n");
    }
    JsonNode warnings = f.path("warnings");
    if (warnings.isArray() && !warnings.isEmpty()) {
      html.append("<section>\n<h2>Warnings</h2>\n<ul>\n");
      for (JsonNode w : warnings) {
        html.append("<li>").append(esc(w.asText())).append("</li>\n");
      }
      html.append("</ul>\n</section>\n");
    }
  }

  private static String stepTone(String status) {
    return "DONE".equals(status) ? "pass" : Html.tone(status);
  }

  private static String orDash(String s) {
    return s == null ? "—" : s;
  }

  private static void scratch(StringBuilder html, JsonNode r) {
    JsonNode s = r.path("scratch");
    if (!s.isObject() || text(s, "database") == null) {
      return;
    }
    boolean kept = s.path("kept").asBoolean(false);
    boolean dropped = s.path("dropped").asBoolean(false);
    html.append("<section>\n<h2>Scratch database</h2>\n<dl>\n");
    dl(html, "Database", "<code>" + esc(text(s, "database")) + "</code> on " + esc(text(s, "server")));
    dl(html, "Afterwards", kept ? "kept for inspection, as asked" : dropped ? "dropped" : "<strong>not dropped</strong>");
    html.append("</dl>\n</section>\n");
  }

  private static void footer(StringBuilder html, JsonNode r) {
    html.append("<footer>Workflow <code>").append(esc(text(r, "workflowId")))
        .append("</code>, run <code>").append(esc(text(r, "runId"))).append("</code>");
    String key = text(r, "reportKey");
    if (key != null) {
      html.append(" · stored as <code>").append(esc(key)).append("</code>");
    }
    html.append(" · rendered by drflow</footer>\n");
  }

  private static void dl(StringBuilder html, String term, String safeHtml) {
    html.append("<dt>").append(esc(term)).append("</dt><dd>").append(safeHtml).append("</dd>\n");
  }

  /**
   * Where the RTO clock started: the run's start, or for a recovery the incident's, so that the
   * timeline shows the time lost before the run began.
   */
  private static String clockStart(JsonNode r) {
    String incident = text(r.path("recovery"), "incidentStart");
    if (incident == null) {
      incident = text(r.path("failover"), "incidentStart");
    }
    return incident != null ? incident : text(r, "startedAt");
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
  }

  /** Seconds from one ISO instant to another; null if either is absent or unreadable. */
  static Double between(String fromIso, String toIso) {
    Instant from = instant(fromIso);
    Instant to = instant(toIso);
    return from == null || to == null ? null : Duration.between(from, to).toMillis() / 1000.0;
  }

  private static Instant instant(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
