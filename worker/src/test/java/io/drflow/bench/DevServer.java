package io.drflow.bench;

import io.drflow.worker.dev.EmbeddedTemporal;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code temporal server start-dev} on a free port, headless. With {@code dbFile} it persists to
 * SQLite on disk, as the embedded dev stack does; without, its SQLite lives in memory.
 */
final class DevServer implements AutoCloseable {

  private final Process process;
  final int port;
  final String mode;

  private DevServer(Process process, int port, String mode) {
    this.process = process;
    this.port = port;
    this.mode = mode;
  }

  static DevServer start(Path dir, boolean dbFile, List<String> dynamicConfig) throws IOException {
    Path binary =
        EmbeddedTemporal.findBinary()
            .orElseThrow(() -> new IllegalStateException("the benchmark needs the `temporal` CLI on PATH"));
    Files.createDirectories(dir);
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(binary.toString(), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
                "--port", String.valueOf(port), "--log-level", "warn"));
    if (dbFile) {
      cmd.addAll(List.of("--db-filename", dir.resolve("temporal.db").toString()));
    }
    for (String kv : dynamicConfig) {
      cmd.addAll(List.of("--dynamic-config-value", kv));
    }
    Path log = dir.resolve("temporal.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    DevServer s = new DevServer(p, port, (dbFile ? "SQLite file" : "SQLite in memory")
        + (dynamicConfig.isEmpty() ? "" : ", " + String.join(", ", dynamicConfig)));
    try {
      s.awaitReady(log);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("temporal dev server exited; see " + log);
      }
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(target()).setRpcTimeout(Duration.ofSeconds(2)).build());
      try {
        stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build());
        return;
      } catch (RuntimeException notYet) {
        // starting
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
    throw new IllegalStateException("temporal dev server not ready; see " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
