package io.drflow.workflows.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadKeysTest {

  @TempDir Path dir;

  @Test
  void loadsTheCurrentKeyFromAnEnvironmentVariableAndRetiredOnesFromFiles() throws Exception {
    byte[] current = AesGcmPayloadCodecTest.key();
    byte[] retired = AesGcmPayloadCodecTest.key();
    Path file = dir.resolve("old.key");
    Files.writeString(file, Base64.getMimeEncoder().encodeToString(retired) + "\n");
    var config =
        new PayloadEncryption(
            "2025-06", "PK", null, List.of(new PayloadEncryption.PreviousKey("2024-12", null, file.toString())));

    PayloadKeys keys = PayloadKeys.load(config, Map.of("PK", Base64.getEncoder().encodeToString(current))::get);

    assertThat(keys.currentId()).isEqualTo("2025-06");
    assertThat(keys.ids()).containsExactly("2025-06", "2024-12");
    assertThat(keys.current().getEncoded()).isEqualTo(current);
    assertThat(keys.find("2024-12").orElseThrow().getEncoded()).isEqualTo(retired);
  }

  @Test
  void aKeyFileMayHoldTheRawBytes() throws Exception {
    byte[] raw = AesGcmPayloadCodecTest.key();
    Path file = dir.resolve("raw.key");
    Files.write(file, raw);

    PayloadKeys keys = PayloadKeys.load(new PayloadEncryption(null, null, file.toString(), null), n -> null);

    assertThat(keys.currentId()).isEqualTo("default");
    assertThat(keys.current().getEncoded()).isEqualTo(raw);
  }

  @Test
  void refusesAMissingVariableByName() {
    assertThatThrownBy(() -> PayloadKeys.load(new PayloadEncryption("k", "DRFLOW_PAYLOAD_KEY", null, null), n -> null))
        .hasMessageContaining("environment variable DRFLOW_PAYLOAD_KEY")
        .hasMessageContaining("not set");
  }

  @Test
  void refusesAKeyOfTheWrongLengthWithoutEchoingIt() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> PayloadKeys.load(new PayloadEncryption("k", "PK", null, null), Map.of("PK", shortKey)::get))
        .hasMessageContaining("environment variable PK does not hold an AES-256 key")
        .hasMessageContaining("openssl rand -base64 32")
        .hasMessageNotContaining(shortKey);
  }

  @Test
  void refusesAMissingFile() {
    assertThatThrownBy(() -> PayloadKeys.load(new PayloadEncryption("k", null, dir.resolve("nope").toString(), null), n -> null))
        .hasMessageContaining("cannot read payload key file");
  }

  @Test
  void settingsProblemsNameTheirPath() {
    var config =
        new PayloadEncryption(
            "bad id!",
            "A",
            "/f",
            List.of(new PayloadEncryption.PreviousKey(null, "B", null), new PayloadEncryption.PreviousKey("x", null, null)));

    assertThat(config.problems("temporal.payloadEncryption"))
        .containsExactly(
            "temporal.payloadEncryption.keyId: 'bad id!' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
            "temporal.payloadEncryption: set exactly one of keyEnv (an environment variable) and keyFile (a file) holding the key",
            "temporal.payloadEncryption.previousKeys[0].keyId: required (the id the payloads it encrypted carry)",
            "temporal.payloadEncryption.previousKeys[1]: set exactly one of keyEnv (an environment variable) and keyFile (a file) holding the key");
  }

  @Test
  void refusesADuplicateKeyId() {
    var config = new PayloadEncryption("k", "A", null, List.of(new PayloadEncryption.PreviousKey("k", "B", null)));

    assertThat(config.problems("p")).containsExactly("p.previousKeys[0].keyId: 'k' is used twice; every key needs its own id");
  }
}
