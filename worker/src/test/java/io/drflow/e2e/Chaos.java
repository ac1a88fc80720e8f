package io.drflow.e2e;

import io.drflow.workflows.model.Bytes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The chaos harness: crash safety, storage faults and bad input, run side by side on one stack
 * (each scenario has its own task queue, bucket prefix and worker, so they cannot disturb each
 * other's figures), then a scan of every workflow history on the server for secrets.
 */
final class Chaos {

  enum Mode {
    /** A few kill points and faults and the whole bad-input corpus: what `mvn verify` runs. */
    SHORT,
    /** Every kill point and fault: bench/chaos.sh. */
    FULL
  }

  static final Set<String> ALL = Set.of("crash", "faults", "bad-input");

  private Chaos() {}

  static ChaosReport run(ChaosRig rig, Mode mode, Set<String> categories, PrintStream live) throws Exception {
    return run(rig, mode, categories, null, live);
  }

  /**
   * @param runbooks the kill points and fault scenarios of these runbooks only (backup, drill,
   *     drill-stream, recovery, failover); null for all
   */
  static ChaosReport run(ChaosRig rig, Mode mode, Set<String> categories, Set<String> runbooks, PrintStream live)
      throws Exception {
    ChaosReport report = new ChaosReport(live);
    long t0 = System.nanoTime();
    // Its own thread: the common pool may have a single thread here, which the Temporal client
    // needs for its own futures (fetching a history would wait forever behind this category).
    ExecutorService crashThread = Executors.newSingleThreadExecutor();
    CompletableFuture<Duration> crash =
        CompletableFuture.supplyAsync(
            () ->
                timed(
                    categories.contains("crash"),
                    () ->
                        new CrashHarness(rig, report)
                            .run(
                                (mode == Mode.FULL ? CrashHarness.fullPoints() : CrashHarness.shortPoints()).stream()
                                    .filter(p -> runbooks == null || runbooks.contains(p.runbook())).toList(),
                                mode == Mode.FULL ? 8 : 5)),
            crashThread);
    Duration faults =
        timed(categories.contains("faults"), () -> new FaultHarness(rig, report).run(mode, runbooks));
    Duration badInput =
        timed(categories.contains("bad-input"), () -> new BadInputHarness(rig, report).run());
    Duration crashTime = crash.join();
    crashThread.shutdown();
    long t1 = System.nanoTime();
    HistoryScan.Result scan = HistoryScan.scan(rig.client(), rig.secretValues());
    report.secrets(scan.occurrences());
    report.add(
        new ChaosReport.Outcome(
            "secrets",
            "no secret in any workflow history",
            scan.occurrences() == 0 && scan.positiveControl(),
            String.format(
                "%d runs, %d events scanned with payloads decoded for %d secret values (%s): %d found%s%s",
                scan.runs(), scan.events(), rig.secretValues().size(),
                String.join(", ", rig.secretValues().keySet()), scan.occurrences(),
                scan.where().isEmpty() ? "" : " in " + scan.where(),
                scan.positiveControl() ? "" : "; POSITIVE CONTROL FAILED: no decoded service/scratch names seen")));
    String trouble = rig.serverTrouble();
    if (trouble != null) {
      report.figure("WARNING: " + trouble + "; failures after it say nothing about drflow");
    }
    report.figure(
        String.format(
            "durations: crash %ds, faults %ds, bad-input %ds (crash ran alongside the other two), history scan %ds, all %ds",
            crashTime.toSeconds(), faults.toSeconds(), badInput.toSeconds(),
            Duration.ofNanos(System.nanoTime() - t1).toSeconds(), Duration.ofNanos(System.nanoTime() - t0).toSeconds()));
    return report;
  }

  interface Body {
    void run() throws Exception;
  }

  private static Duration timed(boolean enabled, Body body) {
    if (!enabled) {
      return Duration.ZERO;
    }
    long t = System.nanoTime();
    try {
      body.run();
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return Duration.ofNanos(System.nanoTime() - t);
  }

  static String human(long bytes) {
    return Bytes.human(bytes);
  }
}
