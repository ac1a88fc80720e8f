package io.drflow.workflows.report;

import static io.drflow.workflows.report.Html.esc;
import static io.drflow.workflows.report.Html.num;

import io.drflow.workflows.model.Durations;
import java.util.List;

/**
 * A run's phases as horizontal bars on one time axis from the run's start: each phase's budget
 * (light, from where the phase started) behind what it actually took (solid), with the RTO as a
 * dashed line and the achieved RTO as a solid one.
 */
final class PhaseTimelineSvg {

  /**
   * @param start seconds from the run's start; null for a phase that never started
   * @param budget seconds; 0 when the phase has none
   */
  record Bar(String name, String status, Double start, double seconds, long budget, boolean overBudget) {}

  static final int WIDTH = 900;
  private static final int LABEL_W = 150;
  private static final int FIGURES_W = 170;
  private static final int ROW_H = 30;
  /** Two label rows above the plot: the RTO's, then the achieved RTO's, so they never collide. */
  private static final int TOP = 46;
  private static final int BOTTOM = 34;
  private static final double[] STEPS = {
    0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400
  };

  private PhaseTimelineSvg() {}

  /**
   * @param budgets draw the budget bars (the zoomed view shows only what happened)
   * @param domain seconds the axis spans
   */
  static String render(
      List<Bar> bars, Long rtoTarget, Long rtoAchieved, boolean budgets, double domain, String caption) {
    int plotW = WIDTH - LABEL_W - FIGURES_W;
    int height = TOP + bars.size() * ROW_H + BOTTOM;
    double scale = plotW / Math.max(domain, 1e-9);
    StringBuilder svg = new StringBuilder();
    svg.append("<svg viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(caption))
        .append("\">\n<title>")
        .append(esc(caption))
        .append("</title>\n");
    int axisY = TOP + bars.size() * ROW_H;
    double step = step(domain);
    for (int i = 0; i * step <= domain + 1e-9; i++) {
      double t = i * step;
      double x = LABEL_W + t * scale;
      svg.append(line(x, TOP - 4, x, axisY, "#e7ebf1", 1, null));
      svg.append(text(x, axisY + 16, tick(t), "middle", "#5b6576", 11, false));
    }
    svg.append(line(LABEL_W, axisY, LABEL_W + plotW, axisY, "#9aa5b6", 1, null));
    svg.append(text(WIDTH - FIGURES_W + 8, TOP - 10, budgets ? "took / budget" : "took", "start", "#5b6576", 11, true));
    double cursor = 0;
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = TOP + i * ROW_H;
      double mid = y + ROW_H / 2.0;
      if (i % 2 == 1) {
        svg.append("<rect x=\"0\" y=\"").append(num(y)).append("\" width=\"").append(WIDTH - FIGURES_W)
            .append("\" height=\"").append(ROW_H).append("\" fill=\"#f8f9fb\"/>\n");
      }
      svg.append(text(LABEL_W - 10, mid + 4, b.name(), "end", "#1d2430", 13, false));
      boolean ran = b.start() != null;
      double start = ran ? b.start() : cursor;
      if (budgets && b.budget() > 0) {
        svg.append("<rect x=\"").append(num(LABEL_W + start * scale)).append("\" y=\"").append(num(mid - 9))
            .append("\" width=\"").append(num(Math.max(1, b.budget() * scale))).append("\" height=\"18\" rx=\"3\" fill=\"#dfe5ee\" stroke=\"#b8c2d3\"")
            .append(ran ? "" : " stroke-dasharray=\"4 3\"")
            .append("/>\n");
      }
      if (ran) {
        svg.append("<rect x=\"").append(num(LABEL_W + start * scale)).append("\" y=\"").append(num(mid - 5))
            .append("\" width=\"").append(num(Math.max(2.5, b.seconds() * scale))).append("\" height=\"10\" rx=\"2\" fill=\"")
            .append(colour(b)).append("\"/>\n");
        cursor = Math.max(cursor, start + b.seconds());
      }
      String figures =
          !ran
              ? statusWord(b.status())
              : Html.seconds(b.seconds()) + (budgets && b.budget() > 0 ? " / " + Durations.human(b.budget()) : "");
      svg.append(text(WIDTH - FIGURES_W + 8, mid + 4, figures, "start", b.overBudget() ? "#b26a00" : ran ? "#1d2430" : "#8a94a6", 12, b.overBudget()));
    }
    if (rtoTarget != null && rtoTarget <= domain + 1e-9) {
      double x = LABEL_W + rtoTarget * scale;
      svg.append(line(x, TOP - 34, x, axisY, "#c62f2f", 2, "6 4"));
      svg.append(marker(x, TOP - 38, "RTO " + Durations.human(rtoTarget), "#c62f2f", plotW));
    }
    if (rtoAchieved != null && rtoAchieved <= domain + 1e-9) {
      double x = LABEL_W + rtoAchieved * scale;
      String c = rtoTarget == null || rtoAchieved <= rtoTarget ? "#1f8a4c" : "#c62f2f";
      svg.append(line(x, TOP - 18, x, axisY, c, 2, null));
      svg.append(marker(x, TOP - 22, "RTO achieved " + Durations.human(rtoAchieved), c, plotW));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** The axis must hold the RTO, every budget bar and everything that ran. */
  static double domain(List<Bar> bars, Long rtoTarget, Long rtoAchieved, boolean budgets) {
    double end = rtoTarget == null ? 0 : rtoTarget;
    if (rtoAchieved != null) {
      end = Math.max(end, rtoAchieved);
    }
    double cursor = 0;
    for (Bar b : bars) {
      double start = b.start() != null ? b.start() : cursor;
      if (b.start() != null) {
        cursor = Math.max(cursor, start + b.seconds());
        end = Math.max(end, start + b.seconds());
      }
      if (budgets) {
        end = Math.max(end, start + b.budget());
      }
    }
    return Math.max(0.5, end * 1.04);
  }

  static double runEnd(List<Bar> bars) {
    double end = 0;
    for (Bar b : bars) {
      if (b.start() != null) {
        end = Math.max(end, b.start() + b.seconds());
      }
    }
    return end;
  }

  /** A line's label beside it, on the side where it fits inside the plot. */
  private static String marker(double x, double y, String label, String fill, int plotW) {
    double width = label.length() * 7.0;
    boolean right = x + 6 + width <= LABEL_W + plotW || x - 6 - width < LABEL_W;
    return text(right ? x + 6 : x - 6, y, label, right ? "start" : "end", fill, 12, true);
  }

  private static String colour(Bar b) {
    return switch (b.status() == null ? "" : b.status()) {
      case "FAILED" -> "#c62f2f";
      case "CANCELLED" -> "#8a94a6";
      case "RUNNING" -> "#2c5fab";
      default -> b.overBudget() ? "#d08700" : "#1f8a4c";
    };
  }

  private static String statusWord(String status) {
    return status == null ? "" : status.toLowerCase();
  }

  static double step(double domain) {
    for (double s : STEPS) {
      if (domain / s <= 8) {
        return s;
      }
    }
    return Math.ceil(domain / 8 / 86400) * 86400;
  }

  private static String tick(double t) {
    if (t != Math.rint(t)) {
      return String.format(java.util.Locale.ROOT, "%.1fs", t);
    }
    return t < 60 ? (long) t + "s" : Durations.human((long) t);
  }

  private static String line(double x1, double y1, double x2, double y2, String stroke, int w, String dash) {
    return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2)
        + "\" stroke=\"" + stroke + "\" stroke-width=\"" + w + "\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
  }

  static String text(double x, double y, String s, String anchor, String fill, int size, boolean bold) {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" fill=\"" + fill
        + "\" font-size=\"" + size + "\"" + (bold ? " font-weight=\"600\"" : "") + ">" + esc(s) + "</text>\n";
  }
}
