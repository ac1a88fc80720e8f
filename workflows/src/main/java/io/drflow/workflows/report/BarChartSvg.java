package io.drflow.workflows.report;

import static io.drflow.workflows.report.Html.esc;
import static io.drflow.workflows.report.Html.num;
import static io.drflow.workflows.report.PhaseTimelineSvg.text;

import java.util.List;
import java.util.function.DoubleFunction;

/**
 * One value per run as vertical bars, oldest left, with an optional target line. The axis is
 * scaled to the values so a trend stays visible; a target far above them is stated in words
 * instead of flattening every bar.
 */
final class BarChartSvg {

  /** @param value null draws no bar (the run did not measure it) */
  record Point(String label, Double value, String fill) {}

  private static final int WIDTH = 900;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 26;
  private static final int PLOT_H = 180;
  private static final int BOTTOM = 44;

  private BarChartSvg() {}

  /** How values read on the axis: seconds step by 1-2-5 minutes and hours, bytes by binary units. */
  enum Unit {
    SECONDS,
    BYTES;

    double step(double max) {
      if (this == SECONDS) {
        // About four gridlines, on whole seconds: the labels have no fractions.
        return Math.max(1, PhaseTimelineSvg.step(max * 2));
      }
      double unit = 1;
      while (max / unit >= 1024) {
        unit *= 1024;
      }
      return niceStep(max / unit) * unit;
    }

    private static double niceStep(double max) {
      double raw = max / 4;
      double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
      for (double m : new double[] {1, 2, 2.5, 5, 10}) {
        if (m * magnitude >= raw) {
          return m * magnitude;
        }
      }
      return 10 * magnitude;
    }
  }

  static String render(
      List<Point> points, Double target, String targetLabel, Unit unit, DoubleFunction<String> format, String caption) {
    double max = 0;
    for (Point p : points) {
      if (p.value() != null) {
        max = Math.max(max, p.value());
      }
    }
    boolean targetFits = target != null && target <= Math.max(max, 1e-9) * 2.5;
    double highest = Math.max(targetFits ? Math.max(max, target) : max, 1e-9) * 1.12;
    double step = unit.step(highest);
    double top = Math.ceil(highest / step) * step;
    int plotW = WIDTH - LEFT - RIGHT;
    int height = TOP + PLOT_H + BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
        .append("\" role=\"img\" aria-label=\"").append(esc(caption)).append("\">\n<title>")
        .append(esc(caption)).append("</title>\n");
    for (double v = 0; v <= top + step / 1000; v += step) {
      double y = TOP + PLOT_H - PLOT_H * v / top;
      boolean base = v == 0;
      svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(num(y)).append("\" x2=\"").append(WIDTH - RIGHT)
          .append("\" y2=\"").append(num(y)).append("\" stroke=\"").append(base ? "#9aa5b6" : "#e7ebf1").append("\" stroke-width=\"1\"/>\n");
      svg.append(text(LEFT - 8, y + 4, format.apply(v), "end", "#5b6576", 11, false));
    }
    double slot = plotW / (double) Math.max(points.size(), 1);
    double barW = Math.min(56, slot * 0.6);
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      double cx = LEFT + slot * (i + 0.5);
      if (p.value() != null) {
        double h = PLOT_H * p.value() / top;
        svg.append("<rect x=\"").append(num(cx - barW / 2)).append("\" y=\"").append(num(TOP + PLOT_H - h))
            .append("\" width=\"").append(num(barW)).append("\" height=\"").append(num(Math.max(h, 1.5)))
            .append("\" rx=\"2\" fill=\"").append(p.fill()).append("\"/>\n");
        svg.append(text(cx, TOP + PLOT_H - h - 5, format.apply(p.value()), "middle", "#1d2430", 11, true));
      } else {
        svg.append(text(cx, TOP + PLOT_H - 6, "—", "middle", "#8a94a6", 12, false));
      }
      svg.append(text(cx, TOP + PLOT_H + 16, p.label(), "middle", "#5b6576", 11, false));
    }
    if (target != null) {
      if (targetFits) {
        double y = TOP + PLOT_H - PLOT_H * target / top;
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(num(y)).append("\" x2=\"").append(WIDTH - RIGHT)
            .append("\" y2=\"").append(num(y)).append("\" stroke=\"#c62f2f\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n");
        svg.append(text(WIDTH - RIGHT, y - 6, targetLabel, "end", "#c62f2f", 12, true));
      } else {
        svg.append(text(WIDTH - RIGHT, TOP - 8, targetLabel + " — far above every drill, not drawn to scale", "end", "#c62f2f", 12, true));
      }
    }
    svg.append("</svg>\n");
    return svg.toString();
  }
}
