package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EncryptionConfigTest {

  @Test
  void readsKeySourcesAndPreviousKeys() {
    DrflowConfig c =
        ConfigLoader.parse(
            """
            storage:
              encryption:
                keyEnv: DRFLOW_BACKUP_KEY
                previousKeys:
                  - {keyFile: /etc/drflow/old.key}
                  - {keyEnv: OLDER_KEY}
                requireEncrypted: true
            """,
            "test");
    EncryptionConfig e = c.storage().encryption();
    assertThat(e.current()).isEqualTo(new EncryptionConfig.KeySource("DRFLOW_BACKUP_KEY", null));
    assertThat(e.previousKeys())
        .containsExactly(
            new EncryptionConfig.KeySource(null, "/etc/drflow/old.key"),
            new EncryptionConfig.KeySource("OLDER_KEY", null));
    assertThat(e.requireEncrypted()).isTrue();
    assertThat(ConfigLoader.parse("storage: {bucket: b}", "test").storage().encryption()).isNull();
  }

  @Test
  void eachKeyNeedsExactlyOneSourceAndAVariableName() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
                    storage:
                      encryption:
                        keyEnv: K
                        keyFile: /k
                        previousKeys: [{}]
                    """,
                    "test"))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .anyMatch(p -> p.startsWith("storage.encryption: needs exactly one of keyEnv"))
                    .anyMatch(p -> p.startsWith("storage.encryption.previousKeys[0]: needs exactly one")));
    // A key pasted where its variable's name belongs is refused without being echoed.
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "storage: {encryption: {keyEnv: 'q83vEjRWeJ+rze8SNFZ4kKvN7xI0VniQq83vEjRWeJA='}}", "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.encryption.keyEnv")
        .hasMessageContaining("is not an environment variable name")
        .hasMessageNotContaining("q83vEjRW");
    assertThatThrownBy(() -> ConfigLoader.parse("storage: {encryption: {key: abc}}", "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'key'");
  }
}
