package io.drflow.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged worker process of the chaos harness: its own drflow.yaml (task queue, host id, S3
 * endpoint), the stack's secrets in its environment, optionally a crash point.
 */
final class ChaosWorker implements AutoCloseable {

  /** Small and quick to start: a dozen of these may run side by side on two cores. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  static final String READY = "drflow worker serving task queue";

  /**
   * JVMs starting at once on two cores can take long enough to miss Temporal's connection
   * deadline; a few at a time start promptly.
   */
  private static final java.util.concurrent.Semaphore STARTING = new java.util.concurrent.Semaphore(3);

  private final String name;
  private final Path log;
  private final Process process;
  private boolean started;

  private ChaosWorker(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /** A worker process started elsewhere; {@code holdsPermit} false: it took no start permit. */
  ChaosWorker(String name, Path log, Process process, boolean holdsPermit) {
    this(name, log, process);
    this.started = !holdsPermit;
  }

  /**
   * @param crashPoint a {@code DRFLOW_TEST_CRASH_POINT} value, or null for a worker that runs on
   */
  static ChaosWorker start(
      String name, Path config, Map<String, String> env, Path log, String crashPoint, List<String> jvmOptions)
      throws IOException {
    Map<String, String> all = new HashMap<>(env);
    if (crashPoint != null) {
      all.put("DRFLOW_TEST_CRASH_POINT", crashPoint);
    }
    all.put("DRFLOW_LOG_LEVEL", "INFO");
    STARTING.acquireUninterruptibly();
    try {
      return new ChaosWorker(name, log, DrflowStack.startWorkerProcess(config, all, log, jvmOptions));
    } catch (IOException | RuntimeException e) {
      STARTING.release();
      throw e;
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  Path log() {
    return log;
  }

  /** Waits until the worker polls its queues (it logs so), or fails if it died first. */
  ChaosWorker awaitReady(Duration limit) throws Exception {
    try {
      return awaitPolling(limit);
    } finally {
      if (!started) {
        started = true;
        STARTING.release();
      }
    }
  }

  private ChaosWorker awaitPolling(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(READY)) {
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before polling; see " + log);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " did not start polling within " + limit + "; see " + log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end on its own; false when it is still running at the limit. */
  boolean awaitExit(Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  /** SIGKILL: what a crashed host or the OOM killer does. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, the worker drains; SIGKILL if it takes too long. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }
}
