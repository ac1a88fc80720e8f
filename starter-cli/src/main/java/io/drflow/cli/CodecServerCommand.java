package io.drflow.cli;

import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.drflow.workflows.codec.PayloadKeys;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "codec-server",
    mixinStandardHelpOptions = true,
    description =
        "Serve Temporal's remote codec endpoint (POST /encode, /decode) with the payload key of"
            + " temporal.payloadEncryption, so the Temporal Web UI and CLI show encrypted inputs and"
            + " results in clear. Ctrl-C stops it.")
final class CodecServerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "8081", description = "port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}); whoever reaches it can decrypt payloads")
  String bind;

  @Option(
      names = "--origin",
      defaultValue = "http://localhost:8233,http://127.0.0.1:8233",
      split = ",",
      description = "Web UI origins the browser may call it from (default: ${DEFAULT-VALUE})")
  List<String> origins;

  @Override
  public Integer call() throws Exception {
    Drctl root = (Drctl) spec.root().userObject();
    PayloadKeys keys = CliConfig.load(root.configPath()).payloadKeys();
    if (keys == null) {
      throw new UserError(
          "payloads are not encrypted: set temporal.payloadEncryption in the drflow.yaml given with --config"
              + " or $DRFLOW_CONFIG");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (CodecServer server = CodecServer.start(bind, port, new AesGcmPayloadCodec(keys), origins)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "codec-server-stop"));
      var out = spec.commandLine().getOut();
      out.println("codec server on " + server.url() + " (key ids: " + String.join(", ", keys.ids())
          + "; UI origins: " + String.join(", ", origins) + ")");
      out.println("point the Web UI at it: temporal server start-dev --ui-codec-endpoint " + server.url()
          + "  (or the UI's Data Encoder setting)");
      out.flush();
      stopped.await();
    }
    return 0;
  }
}
