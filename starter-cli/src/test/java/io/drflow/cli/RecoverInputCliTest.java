package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input drctl refuses before it contacts anything. The config points at a port nobody listens on:
 * had drctl tried to start a run, the error would be about reaching Temporal.
 */
class RecoverInputCliTest {

  @TempDir static Path dir;
  static String config;

  @BeforeAll
  static void configWithNoServer() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path file = dir.resolve("drflow.yaml");
    Files.writeString(file, "temporal:\n  target: 127.0.0.1:" + closed + "\n");
    config = file.toString();
  }

  private static DrctlRunner.Result drctl(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config;
    System.arraycopy(args, 0, all, 2, args.length);
    return DrctlRunner.run(all);
  }

  @Test
  void backupAndAtTogetherAreRefused() {
    DrctlRunner.Result r = drctl("recover", "shop", "--backup", "20261101T000000Z-abcdef12", "--at", "2026-11-01T00:00:00Z");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--backup and --at exclude each other").doesNotContain("Temporal");
    assertThat(r.out()).doesNotContain("started");
  }

  @Test
  void latestWithAnotherChoiceIsRefused() {
    DrctlRunner.Result r = drctl("recover", "shop", "--latest", "--at", "2026-11-01T00:00:00Z");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--latest excludes --backup and --at");
  }

  @Test
  void malformedTimesAreExplained() {
    DrctlRunner.Result noZone = drctl("recover", "shop", "--at", "2026-11-22T02:10");
    assertThat(noZone.exitCode()).isEqualTo(2);
    assertThat(noZone.err()).contains("--at '2026-11-22T02:10' has no time zone: write 2026-11-22T02:10Z");

    DrctlRunner.Result words = drctl("recover", "shop", "--incident-start", "an hour ago");
    assertThat(words.exitCode()).isEqualTo(2);
    assertThat(words.err()).contains("--incident-start 'an hour ago' is not a time");
  }

  @Test
  void timesInTheFutureAreRefused() {
    String tomorrow = Instant.now().plus(Duration.ofDays(1)).toString();
    DrctlRunner.Result r = drctl("recover", "shop", "--incident-start", tomorrow);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--incident-start " + tomorrow + " is in the future");
  }

  @Test
  void badServiceNamesAndEmptyNamesAreRefused() {
    assertThat(drctl("recover", "Shop!").err()).contains("is not a service name");
    assertThat(drctl("approve", "recover-shop-1", "swap", "--by", " ").err()).contains("--by must name who approves");
    assertThat(drctl("abort", "recover-shop-1", "--reason", "").err()).contains("--reason must say why");
  }

  @Test
  void offsetsAreAcceptedAndTheCheckPasses() {
    // Valid input gets as far as Temporal, which is not there.
    DrctlRunner.Result r = drctl("recover", "shop", "--at", "2026-01-01T03:10+01:00");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("Temporal");
  }
}
