package io.drflow.workflows.report;

import static io.drflow.workflows.report.Html.esc;

import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.RunSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * A service's recent drills as one self-contained HTML page: achieved RTO, data restored and
 * achieved RPO per drill as charts (oldest left), the trend in words, and the runs as a table.
 */
public final class RunHistoryHtml {

  private static final String PASS = "#1f8a4c";
  private static final String FAIL = "#c62f2f";
  private static final String DATA = "#3d7bd9";

  private RunHistoryHtml() {}

  /** @param newestFirst drills as {@code RunHistoryWorkflow} returns them */
  public static String render(String service, List<RunSummary> newestFirst) {
    DrillTrend trend = DrillTrend.of(newestFirst);
    List<RunSummary> oldestFirst = new ArrayList<>(newestFirst).reversed();
    StringBuilder html = new StringBuilder(24_000);
    Html.open(html, "Drill history of " + service);
    html.append("<header>\n<div class=\"eyebrow\">drflow · drill history</div>\n<h1>Drill history of <code>")
        .append(esc(service))
        .append("</code></h1>\n<p class=\"meta\">");
    if (newestFirst.isEmpty()) {
      html.append("No stored drill reports.</p>\n</header>\n");
      Html.close(html);
      return html.toString();
    }
    html.append(newestFirst.size())
        .append(newestFirst.size() == 1 ? " drill, " : " drills, ")
        .append(esc(Html.instant(oldestFirst.get(0).startedAt())))
        .append(" to ")
        .append(esc(Html.instant(newestFirst.get(0).startedAt())))
        .append(" · ")
        .append(trend.passed())
        .append(" passed</p>\n</header>\n");

    cards(html, newestFirst.get(0), trend);
    html.append("<section>\n<h2>Trend</h2>\n<p style=\"margin:0 0 6px\">")
        .append(esc(trend.rtoSentence()))
        .append("</p>\n");
    if (!trend.dataSentence().isEmpty()) {
      html.append("<p style=\"margin:0\">").append(esc(trend.dataSentence())).append("</p>\n");
    }
    html.append("</section>\n");

    List<BarChartSvg.Point> rto = new ArrayList<>();
    List<BarChartSvg.Point> data = new ArrayList<>();
    List<BarChartSvg.Point> rpo = new ArrayList<>();
    Long rpoTarget = null;
    for (RunSummary s : oldestFirst) {
      String label = label(s.startedAt());
      String fill = s.passed() ? PASS : FAIL;
      Long a = DrillTrend.rto(s);
      rto.add(new BarChartSvg.Point(label, a == null ? null : a.doubleValue(), fill));
      data.add(new BarChartSvg.Point(label, s.backupDumpBytes() > 0 ? (double) s.backupDumpBytes() : null, DATA));
      Long p = s.rpo() == null ? null : s.rpo().achievedSeconds();
      rpo.add(new BarChartSvg.Point(label, p == null ? null : p.doubleValue(), fill));
      if (s.rpo() != null) {
        rpoTarget = s.rpo().targetSeconds();
      }
    }
    Long rtoTarget = trend.rtoTarget();
    html.append("<section>\n<h2>Achieved RTO per drill</h2>\n")
        .append(BarChartSvg.render(rto, rtoTarget == null ? null : rtoTarget.doubleValue(),
            rtoTarget == null ? "" : "RTO " + Durations.human(rtoTarget), BarChartSvg.Unit.SECONDS, v -> Durations.human(Math.round(v)),
            "Achieved RTO of each drill, oldest first"))
        .append("<div class=\"legend\"><span><i style=\"background:#1f8a4c\"></i>passed</span>")
        .append("<span><i style=\"background:#c62f2f\"></i>failed</span><span>— no verified restore</span></div>\n</section>\n");
    html.append("<section>\n<h2>Data restored per drill</h2>\n")
        .append(BarChartSvg.render(data, null, "", BarChartSvg.Unit.BYTES, v -> Bytes.human(Math.round(v)), "Size of the dump each drill restored, oldest first"))
        .append("</section>\n");
    html.append("<section>\n<h2>Achieved RPO per drill</h2>\n")
        .append(BarChartSvg.render(rpo, rpoTarget == null ? null : rpoTarget.doubleValue(),
            rpoTarget == null ? "" : "RPO " + Durations.human(rpoTarget), BarChartSvg.Unit.SECONDS, v -> Durations.human(Math.round(v)),
            "Achieved RPO of each drill, oldest first"))
        .append("</section>\n");
    table(html, newestFirst);
    html.append("<footer>Read from the stored drill reports · rendered by drflow</footer>\n");
    Html.close(html);
    return html.toString();
  }

  private static void cards(StringBuilder html, RunSummary last, DrillTrend trend) {
    html.append("<section class=\"cards\">\n");
    Html.card(html, last.passed() ? "pass" : "fail", "Last drill", last.status(), Html.instant(last.startedAt()));
    Long a = DrillTrend.rto(last);
    if (a != null && last.rto() != null) {
      boolean met = Boolean.TRUE.equals(last.rto().met());
      Html.card(html, met ? "pass" : "fail", "Last RTO", Durations.human(a),
          "target " + Durations.human(last.rto().targetSeconds()) + (met ? " · met" : " · MISSED"));
    }
    if (trend.measured().size() >= 2) {
      RunSummary first = trend.measured().get(0);
      RunSummary newest = trend.measured().get(trend.measured().size() - 1);
      String change = DrillTrend.change(DrillTrend.rto(first), DrillTrend.rto(newest));
      Html.card(html, change.startsWith("+") && !change.equals("+0%") ? "warn" : "pass", "RTO trend", change,
          trend.sparkline() + " over " + trend.measured().size() + " drills");
    }
    if (last.backupDumpBytes() > 0) {
      Html.card(html, "info", "Data", Bytes.human(last.backupDumpBytes()), "dumped size of the last drill's backup");
    }
    html.append("</section>\n");
  }

  private static void table(StringBuilder html, List<RunSummary> newestFirst) {
    html.append("<section>\n<h2>Drills</h2>\n<table>\n<thead><tr><th>Started (UTC)</th><th>Result</th>")
        .append("<th class=\"num\">RTO</th><th class=\"num\">vs previous</th><th class=\"num\">RPO</th>")
        .append("<th class=\"num\">Data</th><th class=\"num\">Restored at</th><th class=\"num\">Checks</th><th>Run</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < newestFirst.size(); i++) {
      RunSummary s = newestFirst.get(i);
      Long a = DrillTrend.rto(s);
      Long before = null;
      for (int j = i + 1; j < newestFirst.size() && before == null; j++) {
        before = DrillTrend.rto(newestFirst.get(j));
      }
      Double rate = DrillTrend.throughput(s);
      Long rpo = s.rpo() == null ? null : s.rpo().achievedSeconds();
      html.append("<tr").append(s.passed() ? "" : " class=\"bad\"").append("><td class=\"num\">")
          .append(esc(Html.instant(s.startedAt()).replaceFirst(":\\d\\d UTC$", "")))
          .append("</td><td><span class=\"badge ").append(Html.tone(s.status())).append("\">").append(esc(s.status())).append("</span></td>")
          .append("<td class=\"num\">").append(a == null ? "—" : esc(Durations.human(a))).append("</td>")
          .append("<td class=\"num\">").append(a != null && before != null ? esc(DrillTrend.change(before, a)) : "").append("</td>")
          .append("<td class=\"num\">").append(rpo == null ? "—" : esc(Durations.human(rpo))).append("</td>")
          .append("<td class=\"num\">").append(s.backupDumpBytes() > 0 ? esc(Bytes.human(s.backupDumpBytes())) : "").append("</td>")
          .append("<td class=\"num\">").append(rate == null ? "" : esc(Bytes.human(Math.round(rate))) + "/s").append("</td>")
          .append("<td class=\"num\">").append(s.checks() == 0 ? "" : (s.checks() - s.failedChecks()) + "/" + s.checks()).append("</td>")
          // drctl's ids stay on one line; long ones (started from the UI, with a UUID) may break.
          .append("<td style=\"")
          .append(s.workflowId() != null && s.workflowId().length() > 32 ? "overflow-wrap:anywhere" : "white-space:nowrap")
          .append("\"><code>").append(esc(s.workflowId())).append("</code></td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</section>\n");
  }

  /** {@code 11-01 02:00} from an ISO instant: short enough for a chart's axis. */
  static String label(String iso) {
    return iso != null && iso.length() >= 16 ? iso.substring(5, 10) + " " + iso.substring(11, 16) : String.valueOf(iso);
  }
}
