package io.drflow.worker.dev;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded stack's Temporal server: the real {@code temporal server start-dev} (with its Web
 * UI and Schedules) when the binary is installed, else the SDK's in-memory server, which runs
 * workflows but has neither UI nor Schedules.
 */
public final class EmbeddedTemporal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  /**
   * Dynamic config for short hand-offs between a runbook's steps (measured on the dev server:
   * about 100 ms per activity with the defaults, 15 ms with both). Eager dispatch hands an
   * activity on the workflow's own queue back in the response that scheduled it; the history
   * service otherwise reads new transfer tasks at most 20 times a second, which puts up to 50 ms
   * between a step finishing and the next one being dispatched.
   */
  public static final List<String> LOW_LATENCY =
      List.of("system.enableActivityEagerExecution=true", "history.transferProcessorMaxPollRPS=1000");

  private final Process devServer;
  private final TestServer.PortBoundTestServer inMemory;
  private final int port;
  private final Integer uiPort;

  private EmbeddedTemporal(Process devServer, TestServer.PortBoundTestServer inMemory, int port, Integer uiPort) {
    this.devServer = devServer;
    this.inMemory = inMemory;
    this.port = port;
    this.uiPort = uiPort;
  }

  /** The dev server with its UI on {@code port + 1000} (the CLI's own default), else in-memory. */
  public static EmbeddedTemporal start(String host, int port, Path stateDir) throws IOException {
    Optional<Path> binary = findBinary();
    if (binary.isEmpty()) {
      log.info("no `temporal` binary on PATH: using the in-memory Temporal server (no Web UI)");
      // true: do not skip time; a dev stack runs in real time.
      return new EmbeddedTemporal(null, TestServer.createPortBoundServer(port, true), port, null);
    }
    return startDevServer(binary.get(), host, port, port + 1000, stateDir);
  }

  /**
   * The real dev server (Schedules, visibility, Web UI) with its state in {@code stateDir}'s
   * SQLite file; fails when the binary is missing rather than falling back.
   */
  public static EmbeddedTemporal startDevServer(String host, int port, int uiPort, Path stateDir)
      throws IOException {
    Path binary =
        findBinary()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the `temporal` CLI is not on PATH (scripts/setup-temporal.sh builds it)"));
    return startDevServer(binary, host, port, uiPort, stateDir);
  }

  private static EmbeddedTemporal startDevServer(
      Path binary, String host, int port, int uiPort, Path stateDir) throws IOException {
    Files.createDirectories(stateDir);
    Path logFile = stateDir.resolve("temporal.log");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                binary.toString(), "server", "start-dev",
                "--ip", host,
                "--port", String.valueOf(port),
                "--ui-port", String.valueOf(uiPort),
                "--db-filename", stateDir.resolve("temporal.db").toString(),
                "--log-level", "warn"));
    for (String kv : LOW_LATENCY) {
      command.addAll(List.of("--dynamic-config-value", kv));
    }
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    EmbeddedTemporal t = new EmbeddedTemporal(p, null, port, uiPort);
    try {
      t.awaitReady(host, Duration.ofSeconds(60), logFile);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** {@code temporal} on PATH, or the binary named by {@code DRFLOW_TEMPORAL_BIN}. */
  public static Optional<Path> findBinary() {
    String explicit = System.getenv("DRFLOW_TEMPORAL_BIN");
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, "temporal");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private void awaitReady(String host, Duration timeout, Path logFile) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!devServer.isAlive()) {
        throw new IllegalStateException(
            "temporal server start-dev exited with " + devServer.exitValue() + "; see " + logFile);
      }
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(host + ":" + port)
                  .setRpcTimeout(Duration.ofSeconds(2))
                  .build());
      try {
        stubs
            .blockingStub()
            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build());
        return;
      } catch (RuntimeException e) {
        last = e;
      } finally {
        stubs.shutdownNow();
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("temporal dev server not ready after " + timeout + ": " + last);
  }

  public boolean hasUi() {
    return uiPort != null;
  }

  public Optional<String> uiAddress(String host) {
    return uiPort == null ? Optional.empty() : Optional.of("http://" + host + ":" + uiPort);
  }

  public String kind() {
    return devServer != null ? "temporal dev server" : "in-memory Temporal server";
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    if (inMemory != null) {
      inMemory.close();
    }
    if (devServer != null && devServer.isAlive()) {
      devServer.destroy();
      try {
        if (!devServer.waitFor(15, TimeUnit.SECONDS)) {
          devServer.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
