package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.drflow.workflows.codec.PayloadKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The remote codec protocol as the Temporal Web UI speaks it, over real HTTP. */
class CodecServerTest {

  private static final String UI = "http://localhost:8233";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static CodecServer server;
  private static PayloadKeys keys;

  @BeforeAll
  static void start() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    keys = PayloadKeys.of("ui-test", key);
    server = CodecServer.start("127.0.0.1", 0, new AesGcmPayloadCodec(keys), List.of(UI + "/"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void encodeThenDecodeRestoresThePayloads() throws Exception {
    String plain = body(payload("json/plain", "{\"service\":\"shop\"}"), payload("json/plain", "42"));

    HttpResponse<String> encoded = post("/encode", plain, UI);
    assertThat(encoded.statusCode()).as(encoded.body()).isEqualTo(200);
    JsonNode sealed = JSON.readTree(encoded.body()).get("payloads");
    assertThat(sealed).hasSize(2);
    assertThat(text(sealed.get(0).get("metadata").get("encoding"))).isEqualTo("binary/encrypted");
    assertThat(text(sealed.get(0).get("metadata").get("encryption-key-id"))).isEqualTo("ui-test");
    assertThat(text(sealed.get(0).get("data"))).doesNotContain("shop");

    HttpResponse<String> decoded = post("/decode", encoded.body(), UI);
    assertThat(decoded.statusCode()).as(decoded.body()).isEqualTo(200);
    assertThat(JSON.readTree(decoded.body())).isEqualTo(JSON.readTree(plain));
    assertThat(decoded.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    assertThat(decoded.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(decoded.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
  }

  @Test
  void decodeLeavesUnencryptedPayloadsAlone() throws Exception {
    String plain = body(payload("json/plain", "\"not encrypted\""));

    HttpResponse<String> r = post("/decode", plain, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(plain));
  }

  @Test
  void aPathPrefixWorksAsTheUiAppendsDecodeToTheEndpoint() throws Exception {
    assertThat(post("/codec/decode", body(), UI).statusCode()).isEqualTo(200);
  }

  @Test
  void answersTheBrowsersPreflightForTheUiOrigin() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/decode"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", UI)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
    assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().toLowerCase())
        .contains("content-type")
        .contains("x-namespace")
        .contains("authorization");
    assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
  }

  @Test
  void refusesOtherOrigins() throws Exception {
    HttpResponse<String> r = post("/decode", body(), "https://evil.example");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aPayloadUnderAnUnknownKeyIdIsA400NamingIt() throws Exception {
    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    String foreign = post("/encode", body(payload("json/plain", "1")), null).body();
    CodecServer otherServer =
        CodecServer.start("127.0.0.1", 0, new AesGcmPayloadCodec(PayloadKeys.of("elsewhere", other)), List.of(UI));
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(otherServer.url() + "/decode"))
                  .POST(HttpRequest.BodyPublishers.ofString(foreign))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("key id 'ui-test'");
    } finally {
      otherServer.close();
    }
  }

  @Test
  void rejectsWhatIsNotTheProtocol() throws Exception {
    assertThat(post("/decode", "not json", null).statusCode()).isEqualTo(400);
    assertThat(post("/other", body(), null).statusCode()).isEqualTo(404);
    HttpResponse<String> get =
        HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/decode")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }

  private static HttpResponse<String> post(String path, String body, String origin) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .header("X-Namespace", "default")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String body(String... payloads) {
    return "{\"payloads\":[" + String.join(",", payloads) + "]}";
  }

  private static String payload(String encoding, String data) {
    return "{\"metadata\":{\"encoding\":\"" + b64(encoding) + "\"},\"data\":\"" + b64(data) + "\"}";
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }
}
