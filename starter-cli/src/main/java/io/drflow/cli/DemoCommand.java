package io.drflow.cli;

import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start the embedded stack, back up the sample service, run a restore drill with live"
            + " progress, print the report, stop the stack. Exits 0 only if the drill passed.")
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--service", defaultValue = "demo", description = "service to use (default: demo)")
  String service;

  @Option(names = "--json", description = "print the drill report as JSON")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Drctl root = (Drctl) spec.root().userObject();
    PrintWriter out = spec.commandLine().getOut();
    ServiceNames.check(service);
    out.println("starting the embedded stack (Temporal, S3, PostgreSQL, worker)...");
    out.flush();
    try (EmbeddedStack stack = EmbeddedStack.start(root.configPath());
        TemporalSession s = TemporalSession.open(CliConfig.load(root.configPath()))) {
      out.println(stack.banner.strip());
      out.println("stack log: " + stack.log);
      out.println();
      out.println("== backup of " + service);
      RunReport backup =
          new Watcher(out)
              .follow(
                  Runs.start(s, Runbook.BACKUP, service, null, new BackupInput(service)));
      if (!backup.passed()) {
        RunOutput.print(backup, json, out);
        return 1;
      }
      out.println(
          "backup " + backup.backup().key() + ": " + Bytes.human(backup.backup().storedBytes())
              + " stored, sha256 " + backup.backup().sha256());
      out.println();
      out.println("== restore drill of " + service);
      RunReport drill =
          new Watcher(out)
              .follow(
                  Runs.start(s, Runbook.DRILL, service, null, DrillInput.of(service)));
      out.println();
      int code = RunOutput.print(drill, json, out);
      out.println(drill.passed() ? "demo: drill PASSED" : "demo: drill " + drill.status());
      return code;
    }
  }

}
