package io.drflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged drctl, run as its own process the way an operator or a cron job runs it. */
final class Drctl {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    JsonNode json() {
      try {
        return JSON.readTree(stdout);
      } catch (Exception e) {
        throw new AssertionError("drctl did not print JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return String.join(" ", command.subList(Math.max(0, command.size() - 6), command.size()))
          + " -> exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private Drctl() {}

  static Result run(Path config, String... args) throws Exception {
    return run(List.of(), config, args);
  }

  /** With extra JVM options (a class-data-sharing archive, say). */
  static Result run(List<String> jvmOptions, Path config, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("drflow.drctl.jar", "../starter-cli/target/drctl.jar"));
    List<String> cmd = new ArrayList<>(DrflowStack.java());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("drctl-", ".out");
    Path err = Files.createTempFile("drctl-", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("DRFLOW_CONFIG");
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("drctl " + String.join(" ", args) + " did not finish in 5 minutes");
      }
      return new Result(
          cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
