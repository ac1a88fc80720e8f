package io.drflow.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Run the embedded stack in the foreground: Temporal (the `temporal` dev server with its"
            + " Web UI when installed, else the in-memory server), an S3 server, a worker, and with"
            + " no services configured, PostgreSQL with a sample service 'demo'. Ctrl-C stops it.")
final class DevCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--state-dir", description = "keep the stack's data here (default: temporary)")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    Drctl root = (Drctl) spec.root().userObject();
    List<String> cmd = command(root.configPath(), stateDir, null);
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> EmbeddedStack.stop(p)));
    return p.waitFor();
  }

  static List<String> command(Path config, Path stateDir, Path readyFile) {
    List<String> cmd = new ArrayList<>();
    cmd.add(WorkerJar.java());
    cmd.addAll(JavaOptions.forChild());
    cmd.add("-jar");
    cmd.add(WorkerJar.locate().toString());
    cmd.add("dev");
    if (config != null) {
      cmd.add("--config");
      cmd.add(config.toAbsolutePath().toString());
    }
    if (stateDir != null) {
      cmd.add("--state-dir");
      cmd.add(stateDir.toAbsolutePath().toString());
    }
    if (readyFile != null) {
      cmd.add("--ready-file");
      cmd.add(readyFile.toString());
    }
    return cmd;
  }
}
