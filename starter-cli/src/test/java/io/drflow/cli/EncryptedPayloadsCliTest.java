package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.drflow.workflows.codec.PayloadKeys;
import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * drctl and a worker sharing temporal.payloadEncryption: drctl's inputs reach the worker, the
 * worker's results reach drctl, and the server holds ciphertext in between.
 */
class EncryptedPayloadsCliTest {

  @TempDir static Path tmp;

  static TestServer.PortBoundTestServer server;
  static WorkflowServiceStubs stubs;
  static WorkerFactory factory;
  static int port;
  static Path keyFile;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    keyFile = tmp.resolve("payload.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    server = TestServer.createPortBoundServer(port, true);
    stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    // The worker side, as DrflowWorker builds it.
    WorkflowClient worker =
        WorkflowClient.newInstance(
            stubs,
            WorkflowClientOptions.newBuilder()
                .setDataConverter(RunbookDataConverter.create(PayloadKeys.of("cli-test", key)))
                .build());
    factory = WorkerFactory.newInstance(worker);
    factory.newWorker("drflow-codec-cli").registerWorkflowImplementationTypes(DrctlTest.StandInDrill.class);
    factory.start();
  }

  @AfterAll
  static void stop() {
    factory.shutdownNow();
    stubs.shutdownNow();
    server.close();
  }

  @Test
  void drctlStartsAndReadsEncryptedRunsAndTheServerSeesOnlyCiphertext() throws Exception {
    Path config = config("  payloadEncryption: {keyId: cli-test, keyFile: \"" + keyFile + "\"}\n");

    String[] drill = run(config, "drill", "shop", "--json");
    assertThat(drill[0]).as(drill[2]).isEqualTo("0");
    String id = new ObjectMapper().readTree(drill[1]).get("workflowId").asText();
    String[] report = run(config, "report", id, "--json");
    assertThat(report[0]).as(report[2]).isEqualTo("0");
    assertThat(new ObjectMapper().readTree(report[1]).get("service").asText()).isEqualTo("shop");
    String[] status = run(config, "status", id);
    assertThat(status[0]).as(status[2]).isEqualTo("0");
    assertThat(status[1]).contains("Restore");

    List<Payload> stored =
        WorkflowClient.newInstance(stubs).fetchHistory(id).getEvents().stream()
            .flatMap(EncryptedPayloadsCliTest::payloads)
            .toList();
    assertThat(stored).hasSizeGreaterThanOrEqualTo(2).allSatisfy(p -> assertThat(AesGcmPayloadCodec.isEncrypted(p)).isTrue());
    assertThat(stored).noneSatisfy(p -> assertThat(p.toByteString().toStringUtf8()).contains("drill_shop_x"));
  }

  @Test
  void drctlWithoutTheKeySaysThePayloadIsEncrypted() throws Exception {
    String id =
        new ObjectMapper()
            .readTree(run(config("  payloadEncryption: {keyId: cli-test, keyFile: \"" + keyFile + "\"}\n"), "drill", "shop", "--json")[1])
            .get("workflowId")
            .asText();

    String[] report = run(config(""), "report", id, "--json");

    assertThat(report[0]).isNotEqualTo("0");
    assertThat(report[2]).contains("encrypted (binary/encrypted) and drctl has no key").contains("temporal.payloadEncryption");
  }

  @Test
  void aMissingKeyFileIsAUserErrorBeforeAnyConnection() throws Exception {
    Path config = config("  payloadEncryption: {keyFile: \"" + tmp.resolve("missing.key") + "\"}\n");

    String[] r = run(config, "status", "whatever");

    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("cannot read payload key file").contains("missing.key");
  }

  @Test
  void codecServerNeedsTheKeySetting() throws Exception {
    String[] r = run(config(""), "codec-server", "--port", "0");

    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("temporal.payloadEncryption");
  }

  private static Path config(String extraTemporal) throws Exception {
    Path config = Files.createTempFile(tmp, "drflow", ".yaml");
    Files.writeString(
        config,
        "temporal:\n  target: \"127.0.0.1:" + port + "\"\n  taskQueue: drflow-codec-cli\n" + extraTemporal
            + "services:\n  shop: {rto: PT1H}\n");
    return config;
  }

  /** exit code, out, err */
  private static String[] run(Path config, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int exit = Drctl.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  private static java.util.stream.Stream<Payload> payloads(HistoryEvent e) {
    if (e.hasWorkflowExecutionStartedEventAttributes()) {
      return e.getWorkflowExecutionStartedEventAttributes().getInput().getPayloadsList().stream();
    }
    if (e.hasWorkflowExecutionCompletedEventAttributes()) {
      return e.getWorkflowExecutionCompletedEventAttributes().getResult().getPayloadsList().stream();
    }
    return java.util.stream.Stream.empty();
  }
}
