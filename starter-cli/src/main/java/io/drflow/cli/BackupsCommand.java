package io.drflow.cli;

import io.drflow.workflows.catalog.ListBackupsWorkflow;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Bytes;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backups", mixinStandardHelpOptions = true, description = "Inspect backups.",
    subcommands = BackupsCommand.ListBackups.class)
final class BackupsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a service's verified backups, newest first.")
  static final class ListBackups extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--limit", defaultValue = "20", description = "at most this many (default 20)")
    int limit;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    int run(TemporalSession s) {
      ServiceNames.check(service);
      if (limit < 1 || limit > 1000) {
        throw new UserError("--limit must be between 1 and 1000, got " + limit);
      }
      ListBackupsWorkflow wf =
          s.client.newWorkflowStub(
              ListBackupsWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(s.config.taskQueue())
                  .setWorkflowId(Runs.workflowId("list-backups", service) + "-" + System.nanoTime() % 100000)
                  .build());
      List<BackupRef> backups;
      try {
        backups = wf.list(new ListBackupsWorkflow.Request(service, limit));
      } catch (io.temporal.client.WorkflowFailedException e) {
        throw new UserError(Errors.describe(e), 1);
      }
      if (json) {
        out().println(Json.write(backups));
        return 0;
      }
      if (backups.isEmpty()) {
        out().println("no backups of " + service);
        return 0;
      }
      out().println(String.format(Locale.ROOT, "%-22s %-28s %10s %10s %7s  %s", "CREATED", "BACKUP ID", "STORED", "DUMP", "TABLES", "KEY"));
      for (BackupRef b : backups) {
        out().println(
            String.format(
                Locale.ROOT,
                "%-22s %-28s %10s %10s %7d  %s",
                b.createdAt().length() > 20 ? b.createdAt().substring(0, 19) + "Z" : b.createdAt(),
                b.backupId(),
                Bytes.human(b.storedBytes()),
                Bytes.human(b.dumpBytes()),
                b.tables(),
                b.key()));
      }
      return 0;
    }
  }
}
