package io.drflow.cli;

import java.util.ArrayList;
import java.util.List;

/** JVM flags for the child processes drctl starts: the same JDK, without start-up noise. */
final class JavaOptions {

  private JavaOptions() {}

  static List<String> forChild() {
    List<String> opts = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 24) {
      opts.add("--sun-misc-unsafe-memory-access=allow");
    }
    return opts;
  }
}
