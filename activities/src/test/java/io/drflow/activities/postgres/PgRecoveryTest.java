package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgRecovery.SwapNames;
import io.drflow.activities.postgres.PgRecovery.SwapState;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The swap and its reversal, from every state an interrupted run can leave. */
class PgRecoveryTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static ServerConfig server;
  static PgRecovery recovery;

  static final SwapNames NAMES =
      new SwapNames("shop", "shop_restore_20261122t031500z", "shop_pre_recovery_20261122t031500z",
          "drflow recovery recover-shop run r1");

  @BeforeAll
  static void start() {
    cluster = LocalPostgresCluster.builder().setting("track_commit_timestamp", "on").start();
    conns = cluster.connections();
    server = cluster.serverConfig();
    recovery = new PgRecovery(conns);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @BeforeEach
  void databases() {
    for (String db : List.of(NAMES.production(), NAMES.restored(), NAMES.preRecovery())) {
      new PgDatabases(conns).drop(server, db);
    }
    cluster.psql("postgres", "create database shop");
    cluster.psql("shop", "create table t (v text); insert into t values ('damaged')");
    cluster.psql("postgres", "create database shop_restore_20261122t031500z");
    cluster.psql("shop_restore_20261122t031500z", "create table t (v text); insert into t values ('restored')");
  }

  private static String content(String db) {
    return cluster.psql(db, "select v from t");
  }

  private static boolean exists(String db) {
    return new PgDatabases(conns).exists(server, db);
  }

  @Test
  void assessReportsSizeAndLastWriteOfALiveDatabase() {
    PgRecovery.Assessment a = recovery.assess(server, "shop");

    assertThat(a.serverReachable()).isTrue();
    assertThat(a.databaseReachable()).isTrue();
    assertThat(a.sizeBytes()).isPositive();
    assertThat(a.lastWriteAt()).isNotNull();
  }

  @Test
  void assessTellsALostDatabaseFromAnUnreachableServer() {
    PgRecovery.Assessment lost = recovery.assess(server, "gone");
    assertThat(lost.serverReachable()).isTrue();
    assertThat(lost.databaseExists()).isFalse();

    ServerConfig nowhere = new ServerConfig("127.0.0.1", 1, "postgres", null, "postgres");
    PgRecovery.Assessment down = new PgRecovery(new PgConnections(cluster.secrets(), java.time.Duration.ofSeconds(2)))
        .assess(nowhere, "shop");
    assertThat(down.serverReachable()).isFalse();
    assertThat(down.problem()).isNotBlank();
  }

  @Test
  void swapMovesProductionAsideAndTheRestoredDatabaseInAndARetryDoesNothing() {
    PgRecovery.SwapOutcome first = recovery.swap(server, NAMES);

    assertThat(first.state()).isEqualTo(SwapState.SWAPPED);
    assertThat(first.actions()).hasSize(2);
    assertThat(content("shop")).isEqualTo("restored");
    assertThat(content(NAMES.preRecovery())).isEqualTo("damaged");
    assertThat(exists(NAMES.restored())).isFalse();
    assertThat(recovery.comment(server, "shop")).isEqualTo(NAMES.marker());

    PgRecovery.SwapOutcome again = recovery.swap(server, NAMES);
    assertThat(again.state()).isEqualTo(SwapState.ALREADY_SWAPPED);
    assertThat(again.actions()).isEmpty();
    assertThat(content("shop")).isEqualTo("restored");
  }

  @Test
  void swapFinishesWhatAnInterruptedSwapStarted() {
    cluster.psql("postgres", "alter database shop rename to shop_pre_recovery_20261122t031500z");

    PgRecovery.SwapOutcome o = recovery.swap(server, NAMES);

    assertThat(o.actions()).containsExactly("renamed shop_restore_20261122t031500z to shop");
    assertThat(content("shop")).isEqualTo("restored");
    assertThat(content(NAMES.preRecovery())).isEqualTo("damaged");
  }

  @Test
  void swapOfALostDatabaseOnlyMovesTheRestoredOneIn() {
    new PgDatabases(conns).drop(server, "shop");

    recovery.swap(server, NAMES);

    assertThat(content("shop")).isEqualTo("restored");
    assertThat(exists(NAMES.preRecovery())).isFalse();
  }

  @Test
  void swapEndsSessionsInTheProductionDatabase() throws Exception {
    try (var session = conns.open(cluster.postgresConfig("shop"))) {
      recovery.swap(server, NAMES);
      assertThat(session.isValid(2)).isFalse();
    }
    assertThat(content("shop")).isEqualTo("restored");
  }

  @Test
  void swapBackRestoresTheOriginalNamesAndIsIdempotent() {
    recovery.swap(server, NAMES);

    PgRecovery.SwapOutcome back = recovery.swapBack(server, NAMES);
    assertThat(back.state()).isEqualTo(SwapState.SWAPPED_BACK);
    assertThat(content("shop")).isEqualTo("damaged");
    assertThat(content(NAMES.restored())).isEqualTo("restored");
    assertThat(exists(NAMES.preRecovery())).isFalse();

    PgRecovery.SwapOutcome again = recovery.swapBack(server, NAMES);
    assertThat(again.state()).isEqualTo(SwapState.NOTHING_TO_UNDO);
    assertThat(content("shop")).isEqualTo("damaged");
  }

  @Test
  void swapBackAfterAHalfSwapPutsProductionBack() {
    cluster.psql("postgres", "alter database shop rename to shop_pre_recovery_20261122t031500z");

    PgRecovery.SwapOutcome back = recovery.swapBack(server, NAMES);

    assertThat(back.actions()).containsExactly("renamed shop_pre_recovery_20261122t031500z back to shop");
    assertThat(content("shop")).isEqualTo("damaged");
    assertThat(content(NAMES.restored())).isEqualTo("restored");
  }

  @Test
  void swapBackBeforeAnySwapTouchesNothing() {
    assertThat(recovery.swapBack(server, NAMES).state()).isEqualTo(SwapState.NOTHING_TO_UNDO);
    assertThat(content("shop")).isEqualTo("damaged");
  }

  @Test
  void aStateNoSwapLeavesIsRefusedUntouched() {
    cluster.psql("postgres", "create database shop_pre_recovery_20261122t031500z");

    assertThatThrownBy(() -> recovery.swap(server, NAMES))
        .isInstanceOf(PgRecovery.UnexpectedStateException.class)
        .hasMessageContaining("resolve by hand");
    assertThat(content("shop")).isEqualTo("damaged");
    assertThat(content(NAMES.restored())).isEqualTo("restored");
  }
}
