package io.drflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the benchmark's child processes (no shell) and times them. */
final class Proc {

  private Proc() {}

  /** What a finished process left: its wall time and its standard output. */
  record Outcome(double seconds, String stdout) {}

  /**
   * Runs {@code command} to completion with {@code env} added to this process's environment;
   * stdout is returned, stderr appended to {@code log}. A non-zero exit throws with the log's tail.
   */
  static Outcome run(List<String> command, Map<String, String> env, Path log) {
    try {
      Path out = Files.createTempFile(log.getParent(), "stdout-", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      long t0 = System.nanoTime();
      Process p = pb.start();
      int rc = p.waitFor();
      double seconds = (System.nanoTime() - t0) / 1e9;
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      if (rc != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited with " + rc + "\nstdout: " + tail(stdout)
                + "\nlog " + log + ":\n" + tail(Files.readString(log, StandardCharsets.UTF_8)));
      }
      return new Outcome(seconds, stdout);
    } catch (IOException e) {
      throw new IllegalStateException("running " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  static Outcome run(List<String> command, Path log) {
    return run(command, Map.of(), log);
  }

  static List<String> cmd(Object... parts) {
    List<String> out = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) {
        l.forEach(x -> out.add(String.valueOf(x)));
      } else {
        out.add(String.valueOf(p));
      }
    }
    return out;
  }

  static String tail(String s) {
    return s.length() > 3000 ? "..." + s.substring(s.length() - 3000) : s;
  }
}
