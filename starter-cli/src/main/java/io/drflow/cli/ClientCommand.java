package io.drflow.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of commands that talk to Temporal. */
abstract class ClientCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  Drctl root() {
    return (Drctl) spec.root().userObject();
  }

  CliConfig cliConfig() {
    return CliConfig.load(root().configPath());
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws Exception {
    try (TemporalSession session = TemporalSession.open(cliConfig())) {
      return run(session);
    }
  }

  abstract int run(TemporalSession session) throws Exception;
}
