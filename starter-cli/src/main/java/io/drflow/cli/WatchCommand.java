package io.drflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = "Follow a run live: one progress bar per phase, elapsed against budget.")
final class WatchCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Override
  int run(TemporalSession s) throws Exception {
    return RunOutput.print(new Watcher(out()).follow(Runs.existing(s, runId)), false, out());
  }
}
