package io.drflow.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * {@code bench/chaos.sh}: the whole chaos harness on a stack of its own. Prints each case as it
 * ends, then everything grouped with the figures, the summary line last; exits 0 only if every
 * case passed and no secret was found.
 *
 * <p>Arguments: {@code --short} (what `mvn verify` runs), {@code --only crash,faults,bad-input},
 * {@code --runbooks backup,drill,drill-stream,recovery,failover} (kill points and fault scenarios
 * of these runbooks only).
 */
public final class ChaosMain {

  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Chaos.Mode mode = Arrays.asList(args).contains("--short") ? Chaos.Mode.SHORT : Chaos.Mode.FULL;
    Set<String> categories = new LinkedHashSet<>(Chaos.ALL);
    Set<String> runbooks = null;
    long scriptStarted = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--only") && i + 1 < args.length) {
        categories = new LinkedHashSet<>(Arrays.asList(args[i + 1].split(",")));
      }
      if (args[i].equals("--runbooks") && i + 1 < args.length) {
        runbooks = new LinkedHashSet<>(Arrays.asList(args[i + 1].split(",")));
      }
      if (args[i].equals("--elapsed-since") && i + 1 < args.length) {
        scriptStarted = Long.parseLong(args[i + 1]);
      }
    }
    long t0 = System.nanoTime();
    System.out.println("chaos: starting the stack (Temporal dev server, 2 PostgreSQL, S3Proxy, a worker)");
    ChaosReport report;
    DrflowStack stack = DrflowStack.start();
    ChaosRig[] rig = new ChaosRig[1];
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            if (rig[0] != null) {
              rig[0].close();
            }
            stack.close();
          }
        };
    // Ctrl-C or a CI timeout must not leave servers and workers running.
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "chaos-stop"));
    try {
      rig[0] = new ChaosRig(stack);
      System.out.printf("chaos: stack and data ready in %ds; running %s %s%s%n",
          (System.nanoTime() - t0) / 1_000_000_000, mode, categories, runbooks == null ? "" : " of runbooks " + runbooks);
      report = Chaos.run(rig[0], mode, categories, runbooks, System.out);
    } finally {
      stop.run();
    }
    long harness = (System.nanoTime() - t0) / 1_000_000_000;
    report.figure(
        "chaos harness " + mode + ": " + harness + " s including the stack's start"
            + (scriptStarted > 0 ? "; bench/chaos.sh " + (System.currentTimeMillis() / 1000 - scriptStarted) + " s including the build" : ""));
    System.out.println();
    System.out.println("==== chaos harness (" + mode + ") ====");
    report.print(System.out);
    System.exit(report.allPassed() ? 0 : 1);
  }
}
