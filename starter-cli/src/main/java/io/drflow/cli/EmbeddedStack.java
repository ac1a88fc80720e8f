package io.drflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The embedded stack as a child process of {@code drctl demo}, with its output in a log file. */
final class EmbeddedStack implements AutoCloseable {

  private final Process process;
  final Path log;
  final String banner;

  private EmbeddedStack(Process process, Path log, String banner) {
    this.process = process;
    this.log = log;
    this.banner = banner;
  }

  static EmbeddedStack start(Path config) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("drflow-demo");
    Path ready = dir.resolve("ready");
    Path log = dir.resolve("stack.log");
    Process p =
        new ProcessBuilder(DevCommand.command(config, null, ready))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!Files.exists(ready) || Files.size(ready) == 0) {
      if (!p.isAlive()) {
        throw new UserError("the embedded stack exited early:\n" + tail(log), 1);
      }
      if (System.nanoTime() > deadline) {
        stop(p);
        throw new UserError("the embedded stack did not come up in 180 s:\n" + tail(log), 1);
      }
      Thread.sleep(200);
    }
    return new EmbeddedStack(p, log, Files.readString(ready));
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM first, so the stack stops its worker gracefully and its servers cleanly. */
  static void stop(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(process);
  }
}
