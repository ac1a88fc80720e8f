package io.drflow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs drctl in-process as {@link Drctl#run} does, capturing what it prints. */
final class DrctlRunner {

  record Result(int exitCode, String out, String err) {}

  private DrctlRunner() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Drctl());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("drctl: " + Errors.describe(ex));
          return ex instanceof UserError ue ? ue.exitCode() : 1;
        });
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
