package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ScheduleSyncCommandTest {

  @Test
  void syncRefusesToRunWithoutAConfigFile() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Drctl());
    cl.setErr(new PrintWriter(err));
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("drctl: " + Errors.describe(ex));
          return ex instanceof UserError ue ? ue.exitCode() : 1;
        });
    // No --config and (in the test JVM) no DRFLOW_CONFIG: nothing may be deleted.
    int code = cl.execute("schedule", "sync");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("schedule sync needs the config file");
  }
}
