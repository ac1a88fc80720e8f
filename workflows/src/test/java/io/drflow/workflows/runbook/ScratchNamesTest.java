package io.drflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScratchNamesTest {

  private static final long STARTED = 1_795_000_000_000L;

  /** A run id as Temporal's server makes them: UUIDv7, its first 48 bits the time in ms. */
  private static String uuid7(long millis, Random random) {
    long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0fffL);
    long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  @Test
  void runsStartedInTheSameSecondGetTheirOwnNames() {
    Random random = new Random(7);
    String a = uuid7(STARTED, random);
    String b = uuid7(STARTED + 3, random);
    assertThat(a.substring(0, 8)).isEqualTo(b.substring(0, 8));

    assertThat(ScratchNames.scratch("shop", STARTED, a)).isNotEqualTo(ScratchNames.scratch("shop", STARTED, b));
    assertThat(ScratchNames.backupId(STARTED, a)).isNotEqualTo(ScratchNames.backupId(STARTED, b));
    // What runs that began before the change still compute on replay: the same name twice.
    assertThat(ScratchNames.scratch("shop", STARTED, a, false)).isEqualTo(ScratchNames.scratch("shop", STARTED, b, false));
  }

  @Test
  void namesAreStableAndFitPostgres() {
    String run = "01a200ea-ab03-742d-a98b-eca91a58fe44";
    assertThat(ScratchNames.scratch("shop", STARTED, run)).isEqualTo("drill_shop_20261118t110640z_1a58fe44");
    assertThat(ScratchNames.scratch("shop", STARTED, run, false)).isEqualTo("drill_shop_20261118t110640z_01a200ea");
    assertThat(ScratchNames.backupId(STARTED, run)).isEqualTo("20261118T110640Z-1a58fe44");
    // A 40-character service (the longest drflow.yaml allows) still gives a valid database name.
    String longest = ScratchNames.scratch("s".repeat(40), STARTED, run);
    assertThat(longest.getBytes()).hasSize(63);
    assertThat(longest).isEqualTo("drill_" + "s".repeat(31) + "_20261118t110640z_1a58fe44");
  }
}
