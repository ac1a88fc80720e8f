package io.drflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.kubernetes.DeploymentScaler.Outcome;
import io.drflow.activities.kubernetes.DeploymentScaler.Replicas;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentScalerTest {

  private static final List<String> WRITERS = List.of("api", "worker");

  private FakeCluster cluster;
  private DeploymentScaler scaler;

  @BeforeEach
  void setUp() {
    cluster = FakeCluster.start("shop");
    cluster.deployment("api", 3);
    cluster.deployment("worker", 1);
    cluster.settle();
    scaler = new DeploymentScaler(cluster.client(), "shop", Duration.ofMillis(50));
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void scaleDownRemembersCountsOnTheDeploymentsAndARetryDoesNotMistakeZeroForThem()
      throws Exception {
    Outcome first = scaler.scaleDown(WRITERS, "run-1");

    assertThat(first.replicas()).containsExactly(new Replicas("api", 3), new Replicas("worker", 1));
    assertThat(first.actions()).containsExactly("api 3 → 0", "worker 1 → 0");
    assertThat(cluster.replicas("api")).isZero();
    assertThat(cluster.annotations("api"))
        .containsEntry(DeploymentScaler.RUN_ANNOTATION, "run-1")
        .containsEntry(DeploymentScaler.REPLICAS_ANNOTATION, "3");
    assertThat(scaler.awaitNoPods(WRITERS, () -> {})).isZero();
    assertThat(cluster.pods("api")).isZero();

    // The worker crashed after scaling: the retry finds 0 but reports the counts from before.
    Outcome retry = scaler.scaleDown(WRITERS, "run-1");
    assertThat(retry.replicas()).isEqualTo(first.replicas());
    assertThat(retry.actions()).isEmpty();
  }

  @Test
  void scaleBackRestoresCountsClearsAnnotationsAndIsIdempotent() throws Exception {
    scaler.scaleDown(WRITERS, "run-1");

    Outcome back = scaler.scaleBack(WRITERS, "run-1", Map.of("api", 3, "worker", 1));
    assertThat(back.actions()).containsExactly("api 0 → 3", "worker 0 → 1");
    assertThat(cluster.replicas("api")).isEqualTo(3);
    assertThat(cluster.annotations("api")).doesNotContainKeys(
        DeploymentScaler.RUN_ANNOTATION, DeploymentScaler.REPLICAS_ANNOTATION);
    assertThat(scaler.awaitAvailable(WRITERS, () -> {}))
        .containsExactly(new Replicas("api", 3), new Replicas("worker", 1));

    assertThat(scaler.scaleBack(WRITERS, "run-1", Map.of("api", 3, "worker", 1)).actions()).isEmpty();
  }

  @Test
  void scaleBackWithoutTargetsUsesTheCountsThisRunRecorded() {
    scaler.scaleDown(WRITERS, "run-1");

    Outcome back = scaler.scaleBack(WRITERS, "run-1", Map.of());

    assertThat(back.replicas()).containsExactly(new Replicas("api", 3), new Replicas("worker", 1));
    assertThat(cluster.replicas("api")).isEqualTo(3);
    // Another run's rollback leaves Deployments it never touched alone.
    scaler.scaleDown(List.of("api"), "run-2");
    assertThat(scaler.scaleBack(List.of("worker"), "run-3", Map.of()).actions()).isEmpty();
    assertThat(cluster.replicas("worker")).isEqualTo(1);
  }

  @Test
  void aRunAfterOneThatDiedWithWritersStoppedRestoresTheRealCounts() {
    scaler.scaleDown(WRITERS, "died");

    Outcome second = scaler.scaleDown(WRITERS, "run-2");

    assertThat(second.replicas()).containsExactly(new Replicas("api", 3), new Replicas("worker", 1));
    assertThat(cluster.annotations("api")).containsEntry(DeploymentScaler.RUN_ANNOTATION, "run-2");
  }

  @Test
  void awaitNoPodsWaitsWhilePodsRemainAndHeartbeats() throws Exception {
    cluster.pause();
    scaler.scaleDown(WRITERS, "run-1");
    AtomicInteger ticks = new AtomicInteger();
    CompletableFuture<Integer> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return scaler.awaitNoPods(WRITERS, ticks::incrementAndGet);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    while (ticks.get() < 3 && !waiting.isDone()) {
      Thread.sleep(20);
    }
    assertThat(waiting).isNotDone();
    assertThat(cluster.pods("api")).isEqualTo(3);

    cluster.resume();
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aMissingDeploymentIsNamed() {
    assertThatThrownBy(() -> scaler.describe(List.of("api", "ghost")))
        .isInstanceOf(DeploymentScaler.MissingDeploymentException.class)
        .hasMessageContaining("deployment ghost not found in namespace shop");
    assertThat(cluster.replicas("api")).isEqualTo(3);
  }
}
