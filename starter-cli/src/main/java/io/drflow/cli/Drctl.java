package io.drflow.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code drctl}: the responder's command line for drflow runbooks. */
@Command(
    name = "drctl",
    mixinStandardHelpOptions = true,
    version = "drctl 0.1.0",
    description = "Start, watch, approve, abort and report drflow disaster-recovery runbooks.",
    subcommands = {
      BackupCommand.class,
      DrillCommand.class,
      RecoverCommand.class,
      FailoverCommand.class,
      FailbackCommand.class,
      ApproveCommand.class,
      AbortCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      ReportCommand.class,
      HistoryCommand.class,
      BackupsCommand.class,
      ScheduleCommand.class,
      DevCommand.class,
      DemoCommand.class,
      CodecServerCommand.class
    })
public final class Drctl {

  @Option(
      names = "--config",
      scope = ScopeType.INHERIT,
      description = "drflow.yaml (default: $DRFLOW_CONFIG, else the embedded stack's addresses)")
  Path config;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Drctl());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("drctl: " + Errors.describe(ex));
          return ex instanceof UserError ue ? ue.exitCode() : 1;
        });
    return cl.execute(args);
  }

  Path configPath() {
    if (config != null) {
      return config;
    }
    String env = System.getenv("DRFLOW_CONFIG");
    return env == null || env.isBlank() ? null : Path.of(env);
  }
}
