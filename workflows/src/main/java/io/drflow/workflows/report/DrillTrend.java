package io.drflow.workflows.report;

import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.RunSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a service's recovery time is heading: the achieved RTO of its drills oldest to newest,
 * against the data they restored, so a team sees whether recovery gets slower because the data
 * grew (throughput steady) or because restoring got slower (throughput falling).
 *
 * @param measured drills that reached a verified restore, oldest first
 */
public record DrillTrend(List<RunSummary> measured, int drills, int passed, Long rtoTarget) {

  private static final String BLOCKS = "▁▂▃▄▅▆▇█";

  /** @param newestFirst drills as history lists them */
  public static DrillTrend of(List<RunSummary> newestFirst) {
    List<RunSummary> oldestFirst = new ArrayList<>(newestFirst).reversed();
    List<RunSummary> measured = new ArrayList<>();
    int passed = 0;
    Long target = null;
    for (RunSummary s : oldestFirst) {
      passed += s.passed() ? 1 : 0;
      if (rto(s) != null) {
        measured.add(s);
      }
      if (s.rto() != null) {
        target = s.rto().targetSeconds();
      }
    }
    return new DrillTrend(List.copyOf(measured), newestFirst.size(), passed, target);
  }

  public static Long rto(RunSummary s) {
    return s.rto() == null ? null : s.rto().achievedSeconds();
  }

  /** Dumped bytes restored per second of achieved RTO; null when not measurable. */
  public static Double throughput(RunSummary s) {
    Long rto = rto(s);
    return rto == null || rto <= 0 || s.backupDumpBytes() <= 0 ? null : s.backupDumpBytes() / (double) rto;
  }

  /** Change from {@code from} to {@code to} as a signed percentage, e.g. {@code +21%}. */
  public static String change(double from, double to) {
    if (from <= 0) {
      return "";
    }
    return String.format(Locale.ROOT, "%+.0f%%", 100 * (to - from) / from);
  }

  private static String percent(double pct) {
    return pct > 0 && pct < 1 ? "<1%" : String.format(Locale.ROOT, "%.0f%%", pct);
  }

  /** The achieved RTOs, oldest to newest, as a row of block characters. */
  public String sparkline() {
    if (measured.isEmpty()) {
      return "";
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (RunSummary s : measured) {
      min = Math.min(min, rto(s));
      max = Math.max(max, rto(s));
    }
    StringBuilder out = new StringBuilder();
    for (RunSummary s : measured) {
      int i = max == min ? 3 : (int) Math.round((rto(s) - min) * 7.0 / (max - min));
      out.append(BLOCKS.charAt(i));
    }
    return out.toString();
  }

  /** One line on the RTO, or a reason why there is no trend yet. */
  public String rtoSentence() {
    if (measured.isEmpty()) {
      return "No drill reached a verified restore yet: no RTO measured.";
    }
    RunSummary first = measured.get(0);
    RunSummary last = measured.get(measured.size() - 1);
    StringBuilder s = new StringBuilder("RTO ");
    if (measured.size() == 1) {
      s.append(Durations.human(rto(last))).append(" in the only measured drill");
    } else {
      s.append(Durations.human(rto(first)))
          .append(" → ")
          .append(Durations.human(rto(last)))
          .append(" (")
          .append(change(rto(first), rto(last)))
          .append(" over ")
          .append(measured.size())
          .append(" drills)");
    }
    if (rtoTarget != null && rtoTarget > 0) {
      long max = measured.stream().mapToLong(DrillTrend::rto).max().orElse(0);
      s.append("; target ")
          .append(Durations.human(rtoTarget))
          .append(", slowest drill used ")
          .append(percent(100.0 * max / rtoTarget))
          .append(" of it");
    }
    return s.append('.').toString();
  }

  /** One line on data size and restore throughput, when two drills can be compared. */
  public String dataSentence() {
    if (measured.size() < 2) {
      return "";
    }
    RunSummary first = measured.get(0);
    RunSummary last = measured.get(measured.size() - 1);
    StringBuilder s =
        new StringBuilder("Data ")
            .append(Bytes.human(first.backupDumpBytes()))
            .append(" → ")
            .append(Bytes.human(last.backupDumpBytes()))
            .append(" (")
            .append(change(first.backupDumpBytes(), last.backupDumpBytes()))
            .append(")");
    Double t0 = throughput(first);
    Double t1 = throughput(last);
    if (t0 != null && t1 != null) {
      s.append("; restored at ")
          .append(Bytes.human(Math.round(t0)))
          .append("/s → ")
          .append(Bytes.human(Math.round(t1)))
          .append("/s (")
          .append(change(t0, t1))
          .append(")");
    }
    return s.append('.').toString();
  }
}
