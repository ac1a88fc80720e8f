package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class S3ClientsTest {

  private static StorageConfig config(String accessEnv, String secretEnv) {
    return new StorageConfig(null, null, "b", null, null, accessEnv, secretEnv, null);
  }

  @Test
  void staticKeysComeFromTheNamedVariables() {
    var provider =
        S3Clients.credentials(
            config("A_ENV", "S_ENV"), Secrets.withOverrides(Map.of("A_ENV", "ak", "S_ENV", "sk")));
    assertThat(provider).isInstanceOf(StaticCredentialsProvider.class);
    assertThat(provider.resolveCredentials().accessKeyId()).isEqualTo("ak");
    assertThat(provider.resolveCredentials().secretAccessKey()).isEqualTo("sk");
  }

  @Test
  void withoutNamedVariablesTheDefaultChainApplies() {
    assertThat(S3Clients.credentials(config(null, null), Secrets.withOverrides(Map.of())))
        .isInstanceOf(DefaultCredentialsProvider.class);
  }

  @Test
  void aNamedButUnsetVariableIsAnError() {
    assertThatThrownBy(
            () ->
                S3Clients.credentials(
                    config("DRFLOW_TEST_UNSET_A", "DRFLOW_TEST_UNSET_S"),
                    Secrets.withOverrides(Map.of())))
        .isInstanceOf(Secrets.MissingSecretException.class)
        .hasMessageContaining("DRFLOW_TEST_UNSET_A");
  }

  @Test
  void onlyOneOfTheTwoNamedIsAnError() {
    assertThatThrownBy(
            () ->
                S3Clients.credentials(
                    config("A_ENV", null), Secrets.withOverrides(Map.of("A_ENV", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secretKeyEnv");
  }
}
