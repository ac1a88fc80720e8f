package io.drflow.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Medians and formatting. */
final class Stats {

  private Stats() {}

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static String all(List<Double> values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(f(v)));
    return String.join(" ", out);
  }
}
