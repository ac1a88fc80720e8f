package io.drflow.worker;

import io.drflow.activities.config.ConfigException;
import io.drflow.activities.config.ConfigLoader;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.workflows.codec.PayloadKeyException;
import io.drflow.worker.dev.DevStack;
import java.nio.file.Path;
import software.amazon.awssdk.core.exception.SdkException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drflow-worker}: serves drflow's task queue, or runs the embedded dev stack. */
@Command(
    name = "drflow-worker",
    mixinStandardHelpOptions = true,
    description = "Serves the drflow task queue on the configured Temporal server.",
    subcommands = {WorkerMain.Dev.class})
public final class WorkerMain implements Callable<Integer> {

  @Option(names = "--config", description = "drflow.yaml (default: the embedded stack's addresses)")
  Path config;

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerMain()).execute(args));
  }

  /** The config, or null after printing why it cannot be used. */
  static DrflowConfig loadConfig(Path file, String who) {
    try {
      return ConfigLoader.loadOrDefault(file);
    } catch (ConfigException e) {
      System.err.println(who + ": " + e.getMessage());
      return null;
    }
  }

  @Override
  public Integer call() throws Exception {
    DrflowConfig cfg = loadConfig(config, "drflow-worker");
    if (cfg == null) {
      return 2;
    }
    DrflowWorker worker;
    try {
      worker = DrflowWorker.start(cfg, Secrets.fromEnvironment());
    } catch (Secrets.MissingSecretException e) {
      System.err.println("drflow-worker: " + e.getMessage() + " (named in " + config + ")");
      return 2;
    } catch (PayloadKeyException e) {
      System.err.println("drflow-worker: " + e.getMessage() + " (temporal.payloadEncryption in " + config + ")");
      return 2;
    } catch (io.grpc.StatusRuntimeException e) {
      System.err.println(
          "drflow-worker: cannot reach the Temporal server at " + cfg.temporal().target() + ": "
              + e.getStatus().getCode() + " " + String.valueOf(e.getStatus().getDescription()));
      return 1;
    } catch (SdkException e) {
      // createBucket checks the bucket at start: an unreachable endpoint or wrong keys end here.
      System.err.println(
          "drflow-worker: cannot use " + cfg.storage().describe() + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  worker.close();
                  stopped.countDown();
                },
                "drflow-shutdown"));
    stopped.await();
    return 0;
  }

  /** {@code drflow-worker dev}: Temporal, S3 and (with no services configured) PostgreSQL. */
  @Command(
      name = "dev",
      mixinStandardHelpOptions = true,
      description =
          "Runs the embedded stack in the foreground: a Temporal server, an S3 server, a worker,"
              + " and, with no services configured, PostgreSQL clusters with a sample service 'demo'.")
  static final class Dev implements Callable<Integer> {

    @Option(names = "--config", description = "drflow.yaml (optional)")
    Path config;

    @Option(
        names = "--state-dir",
        description = "where the stack keeps its data (default: a fresh temporary directory)")
    Path stateDir;

    @Option(
        names = "--ready-file",
        description = "written once everything is up; drctl waits for it")
    Path readyFile;

    @Override
    public Integer call() throws Exception {
      DrflowConfig cfg = loadConfig(config, "drflow-worker dev");
      if (cfg == null) {
        return 2;
      }
      DevStack stack = DevStack.start(cfg, stateDir);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stack.close();
                    stopped.countDown();
                  },
                  "drflow-dev-shutdown"));
      System.out.println(stack.banner());
      if (readyFile != null) {
        java.nio.file.Files.writeString(readyFile, stack.banner());
      }
      stopped.await();
      return 0;
    }
  }
}
