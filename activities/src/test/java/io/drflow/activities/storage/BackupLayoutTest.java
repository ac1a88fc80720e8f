package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupLayoutTest {

  private final BackupLayout layout = new BackupLayout("drflow");

  @Test
  void keysOfABackupShareItsDirectory() {
    assertThat(layout.backupDir("orders", "20261121T030000Z"))
        .isEqualTo("drflow/orders/backups/20261121T030000Z/");
    assertThat(layout.dataKey("orders", "b1")).isEqualTo("drflow/orders/backups/b1/dump.zst");
    assertThat(layout.chunkIndexKey("orders", "b1"))
        .isEqualTo("drflow/orders/backups/b1/chunks.json");
    assertThat(layout.stagingKey("orders", "b1"))
        .isEqualTo("drflow/orders/backups/b1/staging.json");
    assertThat(layout.manifestKey("orders", "b1"))
        .isEqualTo("drflow/orders/backups/b1/manifest.json");
    assertThat(layout.rolesKey("orders", "b1")).isEqualTo("drflow/orders/backups/b1/roles.json");
    assertThat(layout.globalsKey("orders", "b1")).isEqualTo("drflow/orders/backups/b1/globals.sql");
    assertThat(layout.reportJsonKey("orders", "drill-orders-1"))
        .isEqualTo("drflow/orders/reports/drill-orders-1.json");
    assertThat(layout.reportMarkdownKey("orders", "a/b c"))
        .isEqualTo("drflow/orders/reports/a_b_c.md");
  }

  @Test
  void prefixesAreNormalized() {
    assertThat(new BackupLayout("").dataKey("s", "b")).isEqualTo("s/backups/b/dump.zst");
    assertThat(new BackupLayout(null).dataKey("s", "b")).isEqualTo("s/backups/b/dump.zst");
    assertThat(new BackupLayout("/a/b/").dataKey("s", "b")).isEqualTo("a/b/s/backups/b/dump.zst");
  }

  @Test
  void parsesEveryKeyOfABackupBack() {
    for (String key :
        new String[] {
          layout.dataKey("orders", "b-1.x_Y"),
          layout.manifestKey("orders", "b-1.x_Y"),
          layout.stagingKey("orders", "b-1.x_Y"),
          layout.globalsKey("orders", "b-1.x_Y")
        }) {
      assertThat(layout.parse(key))
          .as(key)
          .hasValueSatisfying(
              k -> {
                assertThat(k.service()).isEqualTo("orders");
                assertThat(k.backupId()).isEqualTo("b-1.x_Y");
              });
    }
    assertThat(layout.parse("other/orders/backups/b1/dump.zst")).isEmpty();
    assertThat(layout.parse("drflow/orders/reports/r.json")).isEmpty();
    assertThat(layout.parse("drflow/orders/backups/b1/")).isEmpty();
    assertThat(layout.parse("drflow/orders/backups/b1/sub/dump.zst")).isEmpty();
    assertThat(layout.parseDirOrKey("drflow/orders/backups/b1/"))
        .hasValueSatisfying(k -> assertThat(k.backupId()).isEqualTo("b1"));
    assertThat(layout.parseDirOrKey("drflow/orders/backups/b1"))
        .hasValueSatisfying(k -> assertThat(k.backupId()).isEqualTo("b1"));
  }

  @Test
  void resolvesWhatUsersTypeToABackupId() {
    assertThat(layout.resolveBackupId("orders", "20261121T030000Z")).isEqualTo("20261121T030000Z");
    assertThat(layout.resolveBackupId("orders", " b1 ")).isEqualTo("b1");
    assertThat(layout.resolveBackupId("orders", "drflow/orders/backups/b1/dump.zst"))
        .isEqualTo("b1");
    assertThat(layout.resolveBackupId("orders", "drflow/orders/backups/b1/manifest.json"))
        .isEqualTo("b1");
    assertThat(layout.resolveBackupId("orders", "drflow/orders/backups/b1/")).isEqualTo("b1");
    assertThat(layout.resolveBackupId("orders", "s3://bucket/drflow/orders/backups/b1/dump.zst"))
        .isEqualTo("b1");
  }

  @Test
  void aKeyOfAnotherServiceIsRefused() {
    assertThatThrownBy(() -> layout.resolveBackupId("orders", "drflow/billing/backups/b1/dump.zst"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'billing'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "..",
        "../../etc/passwd",
        "b 1",
        "b/1",
        "drflow/orders/backups/../dump.zst",
        "drflow/orders/backups",
        "elsewhere/orders/backups/b1/dump.zst",
        "ä",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void badInputIsRefused(String input) {
    assertThatThrownBy(() -> layout.resolveBackupId("orders", input))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("'<backupId>'")
        .containsAnyOf("'" + input.strip() + "'", "no backup given");
  }

  @Test
  void aKeyThatIsNotABackupSaysWhatWouldBe() {
    assertThatThrownBy(() -> layout.resolveBackupId("orders", "../../etc/passwd"))
        .hasMessage(
            "'../../etc/passwd' is neither a backup id (1-80 characters of A-Z a-z 0-9 . _ -) nor a key"
                + " like drflow/orders/backups/<backupId>/dump.zst");
  }

  @Test
  void backupIdsAreValidated() {
    assertThat(BackupLayout.isValidBackupId("a".repeat(80))).isTrue();
    assertThat(BackupLayout.isValidBackupId("a".repeat(81))).isFalse();
    assertThat(BackupLayout.isValidBackupId(null)).isFalse();
    assertThatThrownBy(() -> layout.dataKey("orders", "x/y"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
