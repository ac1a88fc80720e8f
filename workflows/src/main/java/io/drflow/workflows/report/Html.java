package io.drflow.workflows.report;

import io.drflow.workflows.model.Durations;
import java.util.Locale;

/**
 * The page shell and text helpers the HTML renderers share. Pages are self-contained: inline CSS
 * and SVG only, no scripts, no fonts or images fetched from anywhere, so a report opens the same
 * from a bucket, an e-mail attachment or an air-gapped laptop.
 */
final class Html {

  private Html() {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Seconds for people: {@code 4.2 s}, {@code 38 s}, {@code 4m 05s}, {@code 1h 02m}. */
  static String seconds(double s) {
    if (Double.isNaN(s)) {
      return "";
    }
    double a = Math.abs(s);
    if (a < 10) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    if (a < 60) {
      return String.format(Locale.ROOT, "%.0f s", s);
    }
    return Durations.human(Math.round(s));
  }

  /** An ISO instant as {@code 2026-11-22 03:15:00 UTC}; anything else as it is. */
  static String instant(String iso) {
    if (iso == null || iso.isEmpty()) {
      return "";
    }
    if (iso.length() >= 19 && iso.charAt(10) == 'T' && iso.endsWith("Z")) {
      return iso.substring(0, 10) + " " + iso.substring(11, 19) + " UTC";
    }
    return iso;
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Badge colour class of a run or check status. */
  static String tone(String status) {
    if (status == null) {
      return "info";
    }
    return switch (status) {
      case "PASSED", "COMPLETED", "ON_TRACK", "pass" -> "pass";
      case "FAILED", "ROLLBACK_FAILED", "BREACHED", "fail" -> "fail";
      case "CANCELLED", "ABORTED", "AT_RISK", "SKIPPED" -> "warn";
      default -> "info";
    };
  }

  static final String CSS =
      """
      :root{--ink:#1d2430;--muted:#5b6576;--line:#d9dee7;--bg:#f6f7f9;--card:#fff;
      --pass:#1f8a4c;--pass-bg:#e3f4ea;--fail:#c62f2f;--fail-bg:#fbe5e5;--warn:#b26a00;
      --warn-bg:#fdf0d9;--info:#2c5fab;--info-bg:#e4ecf8;--budget:#dfe5ee;--bar:#3d7bd9}
      *{box-sizing:border-box}
      body{margin:0;background:var(--bg);color:var(--ink);
      font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
      main{max-width:960px;margin:0 auto;padding:28px 24px 40px}
      header{margin-bottom:18px}
      .eyebrow{color:var(--muted);font-size:12px;letter-spacing:.06em;text-transform:uppercase}
      h1{font-size:24px;margin:4px 0 6px;display:flex;align-items:center;gap:12px;flex-wrap:wrap}
      h2{font-size:16px;margin:0 0 10px}
      code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em}
      .meta{color:var(--muted);margin:0}
      .badge{display:inline-block;border-radius:999px;padding:2px 10px;font-size:12px;font-weight:600;
      letter-spacing:.04em;vertical-align:middle}
      .badge.pass{background:var(--pass-bg);color:var(--pass)}
      .badge.fail{background:var(--fail-bg);color:var(--fail)}
      .badge.warn{background:var(--warn-bg);color:var(--warn)}
      .badge.info{background:var(--info-bg);color:var(--info)}
      section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;
      margin:14px 0}
      .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(158px,1fr));gap:12px;
      background:none;border:0;padding:0}
      .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
      .card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
      .card .value{font-size:20px;font-weight:650;margin:2px 0}
      .card .sub{color:var(--muted);font-size:12.5px}
      .card.pass{border-left:4px solid var(--pass)}.card.fail{border-left:4px solid var(--fail)}
      .card.warn{border-left:4px solid var(--warn)}.card.info{border-left:4px solid var(--info)}
      .callout{border-left:4px solid var(--fail);background:var(--fail-bg);padding:10px 14px;
      border-radius:6px;margin:14px 0;white-space:pre-wrap}
      table{width:100%;border-collapse:collapse;font-size:13.5px}
      th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
      th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      tr.bad td{background:var(--fail-bg)}
      dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
      dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
      .legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:6px}
      .legend i{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;
      vertical-align:-1px}
      svg{display:block;width:100%;height:auto}
      svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
      footer{color:var(--muted);font-size:12px;margin-top:18px}
      @media print{body{background:#fff}section,.card{break-inside:avoid}}
      """;

  static void open(StringBuilder html, String title) {
    html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"generator\" content=\"drflow\">\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
  }

  static void close(StringBuilder html) {
    html.append("</main>\n</body>\n</html>\n");
  }

  static void card(StringBuilder html, String tone, String label, String value, String sub) {
    html.append("<div class=\"card ")
        .append(tone)
        .append("\"><div class=\"label\">")
        .append(esc(label))
        .append("</div><div class=\"value\">")
        .append(esc(value))
        .append("</div><div class=\"sub\">")
        .append(esc(sub))
        .append("</div></div>\n");
  }
}
