package io.drflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.config.ConfigLoader;
import io.drflow.worker.dev.EmbeddedTemporal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * temporal.payloadEncryption on the real dev server: a packaged worker and drctl sharing a key run
 * a backup and a drill; the history the server returns ({@code temporal workflow show}) holds no
 * plaintext, and {@code drctl codec-server} decodes it for the CLI and for a raw /decode request
 * as the Web UI sends it. Its own task queue keeps the shared stack's worker out of it.
 */
@ExtendWith(StackExtension.class)
class EncryptedPayloadsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UI_ORIGIN = "http://127.0.0.1:8233";

  private static DrflowStack stack;
  private static Path config;
  private static Process worker;
  private static Process codecServer;
  private static String codecUrl;

  @BeforeAll
  static void start(DrflowStack s) throws Exception {
    stack = s;
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path keyFile = stack.dir().resolve("payload.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    config = stack.dir().resolve("drflow-encrypted.yaml");
    String yaml =
        stack.workerYaml("")
            .replace(
                "  taskQueue: drflow\n",
                "  taskQueue: drflow-encrypted\n  payloadEncryption: {keyId: it-1, keyFile: \"" + keyFile + "\"}\n")
            .replace("hostId: e2e\n", "hostId: e2e-encrypted\n");
    assertThat(yaml).contains("payloadEncryption").contains("e2e-encrypted");
    Files.writeString(config, yaml);
    ConfigLoader.load(config);
    worker =
        DrflowStack.startWorkerProcess(
            config, stack.workerEnvironment(), stack.artifacts().resolve("e2e/worker-encrypted.log"), List.of());
    codecServer = startCodecServer();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : new Process[] {codecServer, worker}) {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  @Test
  void historyOnTheServerIsCiphertextAndTheCodecServerDecodesIt() throws Exception {
    Drctl.Result backup = Drctl.run(config, "backup", DrflowStack.SERVICE, "--wait", "--json");
    assertThat(backup.exitCode()).as(backup.toString()).isZero();
    Drctl.Result drill = Drctl.run(config, "drill", DrflowStack.SERVICE, "--wait", "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isZero();
    String drillId = drill.json().get("workflowId").asText();
    String scratch = drill.json().get("scratch").get("database").asText();
    assertThat(scratch).startsWith("drill_" + DrflowStack.SERVICE + "_");
    // drctl reads the encrypted report back.
    Drctl.Result report = Drctl.run(config, "report", drillId, "--json");
    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(report.json().get("scratch").get("database").asText()).isEqualTo(scratch);

    String raw = temporal("workflow", "show", "-w", drillId, "--output", "json");
    assertThat(withPayloadsDecoded(raw))
        .contains("YmluYXJ5L2VuY3J5cHRlZA==") // "binary/encrypted", as the metadata's base64
        .doesNotContain(scratch)
        .doesNotContain("\"service\":\"" + DrflowStack.SERVICE + "\"")
        .doesNotContain(" · RTO "); // drctl's static summary (user metadata) goes through the codec too
    for (String secret : stack.secretValues().values()) {
      assertThat(withPayloadsDecoded(raw)).doesNotContain(secret);
    }

    // The CLI through the codec server sees the plaintext the UI would show.
    String decoded = temporal("workflow", "show", "-w", drillId, "--output", "json", "--codec-endpoint", codecUrl);
    assertThat(withPayloadsDecoded(decoded)).contains(scratch).contains(" · RTO ");

    // And a raw request exactly as the browser sends it, with the started event's input payload.
    JsonNode input = firstStartedInput(JSON.readTree(raw));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(codecUrl + "/decode"))
                    .header("Content-Type", "application/json")
                    .header("X-Namespace", "default")
                    .header("Origin", UI_ORIGIN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"payloads\":[" + input + "]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI_ORIGIN);
    JsonNode plain = JSON.readTree(r.body()).get("payloads").get(0);
    assertThat(b64(plain.get("metadata").get("encoding"))).isEqualTo("json/plain");
    assertThat(JSON.readTree(b64(plain.get("data"))).get("service").asText()).isEqualTo(DrflowStack.SERVICE);
  }

  @Test
  void theDevServerHandsTheUiTheCodecEndpoint() throws Exception {
    // `temporal server start-dev --ui-codec-endpoint` (CLI v1.5.1): the UI learns the endpoint from its settings.
    int port = freePort();
    int uiPort = freePort();
    Path dir = Files.createTempDirectory(stack.dir(), "temporal-codec-");
    List<String> cmd =
        List.of(
            EmbeddedTemporal.findBinary().orElseThrow().toString(), "server", "start-dev",
            "--ip", DrflowStack.HOST, "--port", String.valueOf(port), "--ui-port", String.valueOf(uiPort),
            "--db-filename", dir.resolve("t.db").toString(), "--log-level", "warn",
            "--ui-codec-endpoint", codecUrl);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String settings = null;
      for (int i = 0; i < 600 && settings == null; i++) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://" + DrflowStack.HOST + ":" + uiPort + "/api/v1/settings")).build(),
                  HttpResponse.BodyHandlers.ofString());
          settings = r.statusCode() == 200 ? r.body() : null;
        } catch (java.io.IOException notYet) {
          assertThat(p.isAlive()).as("dev server exited; see " + dir.resolve("log")).isTrue();
        }
        if (settings == null) {
          Thread.sleep(100);
        }
      }
      assertThat(settings).as("UI settings").isNotNull();
      assertThat(JSON.readTree(settings).get("Codec").get("Endpoint").asText()).isEqualTo(codecUrl);
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** drctl codec-server as its own process; returns once it printed its address. */
  private static Process startCodecServer() throws Exception {
    Path jar = Path.of(System.getProperty("drflow.drctl.jar", "../starter-cli/target/drctl.jar"));
    List<String> cmd = new ArrayList<>(DrflowStack.java());
    cmd.addAll(
        List.of("-jar", jar.toString(), "--config", config.toString(), "codec-server", "--port", String.valueOf(freePort()),
            "--origin", UI_ORIGIN));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("codec server on ")) {
        codecUrl = line.substring("codec server on ".length()).split(" ")[0];
        // Keep draining its output so it never blocks on a full pipe.
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));
        return p;
      }
    }
    throw new AssertionError("drctl codec-server exited with " + p.waitFor() + " before serving");
  }

  private static String temporal(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(EmbeddedTemporal.findBinary().orElseThrow().toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--address", stack.target(), "--namespace", "default"));
    Path out = Files.createTempFile(stack.dir(), "temporal-", ".json");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(out);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }

  /** The CLI's JSON plus every base64 "data" field decoded: plaintext cannot hide in base64. */
  private static String withPayloadsDecoded(String json) {
    StringBuilder text = new StringBuilder(json);
    var m = java.util.regex.Pattern.compile("\"data\":\\s*\"([A-Za-z0-9+/=]+)\"").matcher(json);
    while (m.find()) {
      text.append('\n').append(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  private static JsonNode firstStartedInput(JsonNode history) {
    for (JsonNode e : history.get("events")) {
      JsonNode started = e.get("workflowExecutionStartedEventAttributes");
      if (started != null) {
        return started.get("input").get("payloads").get(0);
      }
    }
    throw new AssertionError("no WorkflowExecutionStarted event");
  }

  private static String b64(JsonNode node) {
    return new String(Base64.getDecoder().decode(node.asText()), StandardCharsets.UTF_8);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
