package io.drflow.e2e;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the chaos harness found: one line per kill point, fault and bad input, then the figures.
 * The last line is the one CI and people read: {@code crash: P/N passed; faults: P/N passed;
 * bad-input: P/N passed; secrets-in-history: K}.
 */
final class ChaosReport {

  /** One case: a kill point, a fault, a bad input. */
  record Outcome(String category, String name, boolean passed, String detail) {
    String line() {
      return String.format("%-10s %-8s %-52s %s", category, passed ? "PASSED" : "FAILED", name, detail);
    }
  }

  private final List<Outcome> outcomes = new ArrayList<>();
  private final List<String> figures = new ArrayList<>();
  private final PrintStream live;
  private long secretOccurrences = -1;

  /** @param live where each outcome is printed as it comes (null: only at the end) */
  ChaosReport(PrintStream live) {
    this.live = live;
  }

  synchronized void add(Outcome o) {
    outcomes.add(o);
    if (live != null) {
      live.println(o.line());
      live.flush();
    }
  }

  synchronized void pass(String category, String name, String detail) {
    add(new Outcome(category, name, true, detail));
  }

  synchronized void fail(String category, String name, String detail) {
    add(new Outcome(category, name, false, detail));
  }

  synchronized void figure(String line) {
    figures.add(line);
    if (live != null) {
      live.println(line);
      live.flush();
    }
  }

  synchronized void secrets(long occurrences) {
    secretOccurrences = occurrences;
  }

  synchronized List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  synchronized List<Outcome> failures() {
    return outcomes.stream().filter(o -> !o.passed()).toList();
  }

  synchronized String tally(String category) {
    long n = outcomes.stream().filter(o -> o.category().equals(category)).count();
    long p = outcomes.stream().filter(o -> o.category().equals(category) && o.passed()).count();
    return p + "/" + n + " passed";
  }

  synchronized boolean allPassed() {
    return failures().isEmpty() && secretOccurrences == 0;
  }

  synchronized String summary() {
    return "crash: " + tally("crash") + "; faults: " + tally("faults") + "; bad-input: " + tally("bad-input")
        + "; secrets-in-history: " + (secretOccurrences < 0 ? "not scanned" : String.valueOf(secretOccurrences));
  }

  /** Everything, grouped by category, figures, then the summary line last. */
  synchronized void print(PrintStream out) {
    for (String category : List.of("crash", "faults", "bad-input", "secrets")) {
      outcomes.stream().filter(o -> o.category().equals(category)).forEach(o -> out.println(o.line()));
    }
    figures.forEach(out::println);
    out.println(summary());
    out.flush();
  }
}
