package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.workflows.codec.PayloadEncryption;
import org.junit.jupiter.api.Test;

/** {@code temporal.payloadEncryption} as the worker reads it: strict keys, problems by path. */
class PayloadEncryptionConfigTest {

  @Test
  void readsTheKeySettingsAndRetiredKeys() {
    DrflowConfig c =
        ConfigLoader.parse(
            """
            temporal:
              payloadEncryption:
                keyId: "2025-06"
                keyEnv: DRFLOW_PAYLOAD_KEY
                previousKeys:
                  - {keyId: "2024-12", keyFile: /etc/drflow/old.key}
            """,
            "drflow.yaml");

    PayloadEncryption pe = c.temporal().payloadEncryption();
    assertThat(pe.keyId()).isEqualTo("2025-06");
    assertThat(pe.keyEnv()).isEqualTo("DRFLOW_PAYLOAD_KEY");
    assertThat(pe.previousKeys()).containsExactly(new PayloadEncryption.PreviousKey("2024-12", null, "/etc/drflow/old.key"));
  }

  @Test
  void isOffUnlessConfigured() {
    assertThat(ConfigLoader.parse("temporal: {target: \"127.0.0.1:7233\"}\n", "drflow.yaml").temporal().payloadEncryption())
        .isNull();
  }

  @Test
  void aTypoIsAnUnknownKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("temporal:\n  payloadEncryption: {keyEnvv: X}\n", "drflow.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("temporal.payloadEncryption.keyEnvv: unknown key 'keyEnvv'")
        .hasMessageContaining("keyEnv, keyFile, keyId, previousKeys");
  }

  @Test
  void bothOrNeitherKeySourceIsAProblem() {
    assertThatThrownBy(() -> ConfigLoader.parse("temporal:\n  payloadEncryption: {keyId: k}\n", "drflow.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("temporal.payloadEncryption: set exactly one of keyEnv");
  }
}
