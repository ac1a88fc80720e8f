package io.drflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chaos harness's short version, in every `mvn verify`: a few kill points (a transfer killed
 * mid-way in each direction, a finished restore, two activity boundaries, a streamed restore's
 * boundary, a recovery's finished swap and a failover's finished DNS switch), a download, a
 * streamed restore's ranged GETs and an upload broken mid-body, a corrupted backup in both restore
 * modes, the whole bad-input corpus, the command lines of the
 * processes a worker starts, and every workflow history on the server scanned for secrets.
 * {@code bench/chaos.sh} runs all of it ({@link ChaosMain}).
 */
@ExtendWith(StackExtension.class)
class ChaosIT {

  @Test
  // The whole harness (about 10 minutes on two shared cores) in one method: the default 180 s
  // limit against hung tests is for single cases.
  @Timeout(value = 45, unit = TimeUnit.MINUTES)
  void crashesFaultsAndBadInputChangeNothingButTheRunsThemselves(DrflowStack stack) throws Exception {
    ChaosReport report;
    try (ChaosRig rig = new ChaosRig(stack)) {
      report = Chaos.run(rig, Chaos.Mode.SHORT, Chaos.ALL, System.out);
    }
    System.out.println("==== chaos harness (short) ====");
    report.print(System.out);
    assertThat(report.failures()).as(report.summary()).isEmpty();
    assertThat(report.outcomes()).filteredOn(o -> o.category().equals("crash")).hasSizeGreaterThanOrEqualTo(8);
    assertThat(report.outcomes()).filteredOn(o -> o.category().equals("bad-input")).hasSizeGreaterThanOrEqualTo(30);
    assertThat(report.summary()).endsWith("secrets-in-history: 0");
  }
}
