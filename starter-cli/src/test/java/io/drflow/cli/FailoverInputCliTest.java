package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failover input drctl refuses before it contacts anything (the config's Temporal port is closed). */
class FailoverInputCliTest {

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
  void failoverNeedsATargetRegion() {
    DrctlRunner.Result r = drctl("failover", "shop");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--to");
  }

  @Test
  void aMalformedRegionIsRefused() {
    DrctlRunner.Result r = drctl("failover", "shop", "--to", "West Coast");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("is not a region name").doesNotContain("Temporal");
    assertThat(r.out()).doesNotContain("started");
  }

  @Test
  void anIncidentStartWithoutZoneIsExplained() {
    DrctlRunner.Result r = drctl("failover", "shop", "--to", "dr", "--incident-start", "2026-11-22T02:10");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("has no time zone");
  }

  @Test
  void wellFormedInputGetsAsFarAsTemporal() {
    DrctlRunner.Result r = drctl("failback", "shop", "--yes");
    assertThat(r.exitCode()).isNotEqualTo(0);
    assertThat(r.out()).doesNotContain("started");
    assertThat(r.err()).doesNotContain("is not a region name");
  }
}
