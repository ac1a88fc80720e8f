package io.drflow.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds {@code drflow-worker.jar}, which runs the embedded stack for {@code drctl dev} and {@code
 * drctl demo}. drctl itself stays a thin client of Temporal.
 */
final class WorkerJar {

  private WorkerJar() {}

  static Path locate() {
    String explicit = System.getenv("DRFLOW_WORKER_JAR");
    if (explicit != null && !explicit.isBlank()) {
      return existing(Path.of(explicit));
    }
    String home = System.getProperty("drflow.home", System.getenv("DRFLOW_HOME"));
    if (home != null && !home.isBlank()) {
      return existing(Path.of(home, "worker", "target", "drflow-worker.jar"));
    }
    try {
      // drctl.jar lives in starter-cli/target; the worker's jar in worker/target beside it.
      Path self =
          Path.of(WorkerJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path candidate = self.getParent().resolve("../../worker/target/drflow-worker.jar").normalize();
      return existing(candidate);
    } catch (URISyntaxException e) {
      throw new UserError("cannot locate drflow-worker.jar; set DRFLOW_WORKER_JAR");
    }
  }

  private static Path existing(Path p) {
    if (!Files.isRegularFile(p)) {
      throw new UserError(
          p + " does not exist; build it with `mvn -q -DskipTests package` or set DRFLOW_WORKER_JAR");
    }
    return p;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
