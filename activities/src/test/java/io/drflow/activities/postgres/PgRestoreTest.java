package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgException.Kind;
import io.drflow.activities.postgres.PgTestSupport.Backup;
import io.drflow.activities.postgres.RoleSet.Membership;
import io.drflow.activities.postgres.RoleSet.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgRestoreTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static ServerConfig server;
  static Backup backup;
  static PgRestore restore;

  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    server = cluster.serverConfig();
    restore = new PgRestore(conns, null);
    cluster.psql("postgres", "create database src");
    cluster.psql("src", "create table t as select g as id from generate_series(1, 5000) g;"
        + " create index t_id on t (id);");
    backup = PgTestSupport.backup(conns, cluster.postgresConfig("src"), work.resolve("src.dump"), 1);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anExistingDatabaseIsNotTouchedUnlessReplacing() throws Exception {
    cluster.psql("postgres", "create database occupied");
    cluster.psql("occupied", "create table keep_me (x int)");
    assertThatThrownBy(() -> restore.restore(request("occupied", false)))
        .isInstanceOfSatisfying(PgException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS);
          assertThat(e.retryable()).isFalse();
        })
        .hasMessageContaining("already exists");
    assertThat(cluster.psql("occupied", "select count(*) from pg_class where relname = 'keep_me'"))
        .isEqualTo("1");

    // someone is still connected: replacing ends that session
    try (Connection lingering = conns.open(cluster.postgresConfig("occupied"))) {
      PgRestore.Result r = restore.restore(request("occupied", true));
      assertThat(r.replacedExisting()).isTrue();
      assertThat(lingering.isValid(2)).isFalse();
    }
    assertThat(cluster.psql("occupied", "select count(*) from pg_class where relname = 'keep_me'"))
        .isEqualTo("0");
    assertThat(cluster.psql("occupied", "select count(*) from t")).isEqualTo("5000");
  }

  @Test
  void aDatabaseMarkedCompleteByThisRestoreIsNotRestoredAgain() {
    PgRestore.Request marked =
        new PgRestore.Request(server, "marked", backup.file(), backup.globals().roles(), 2, true, null, "run 1 done");
    assertThat(restore.restore(marked).alreadyRestored()).isFalse();
    cluster.psql("marked", "insert into t values (-1)");

    // A retry of the same restore (its worker died before reporting) leaves the database alone.
    PgRestore.Result again = restore.restore(marked);
    assertThat(again.alreadyRestored()).isTrue();
    assertThat(cluster.psql("marked", "select count(*) from t")).isEqualTo("5001");

    // Another mark is another restore: the database is replaced.
    PgRestore.Result other =
        restore.restore(new PgRestore.Request(server, "marked", backup.file(), backup.globals().roles(), 2, true, null, "run 2 done"));
    assertThat(other.alreadyRestored()).isFalse();
    assertThat(other.replacedExisting()).isTrue();
    assertThat(cluster.psql("marked", "select count(*) from t")).isEqualTo("5000");
  }

  @Test
  void aDatabaseMadeReadyAheadIsTakenOnceAndReplacedAfterAnAttemptThatDied() {
    PgRestore.Request req =
        new PgRestore.Request(server, "ahead", backup.file(), backup.globals().roles(), 2, true, null, "run 7 done");
    restore.prepareAhead(req, () -> {});
    restore.prepareAhead(req, () -> {}); // a retried download: still the same database, still marked
    String oid = cluster.psql("postgres", "select oid from pg_database where datname = 'ahead'");
    assertThat(cluster.psql("postgres", "select shobj_description(" + oid + ", 'pg_database')"))
        .startsWith("drflow: created, not yet restored; run 7 done");
    // Sealed: nothing can connect to it before the restore takes it.
    assertThat(cluster.psql("postgres", "select datallowconn from pg_database where datname = 'ahead'")).isEqualTo("f");

    PgRestore.Result r = restore.restore(req);
    assertThat(r.alreadyRestored()).isFalse();
    assertThat(r.replacedExisting()).isFalse();
    // Restored into the very database made ready, not a new one of the same name.
    assertThat(cluster.psql("postgres", "select oid from pg_database where datname = 'ahead'")).isEqualTo(oid);
    assertThat(cluster.psql("ahead", "select count(*) from t")).isEqualTo("5000");
    assertThat(cluster.psql("postgres", "select shobj_description(" + oid + ", 'pg_database')"))
        .isEqualTo("run 7 done");

    // An attempt that took the database and died in pg_restore left it unmarked and half full: the
    // next attempt does not take it as ready, it replaces it.
    PgRestore.Request next =
        new PgRestore.Request(server, "ahead", backup.file(), backup.globals().roles(), 2, true, null, "run 8 done");
    restore.prepareAhead(next, () -> {});
    String readyOid = cluster.psql("postgres", "select oid from pg_database where datname = 'ahead'");
    restore.prepare(next); // takes it, as the first attempt did
    cluster.psql("ahead", "create table half_done (x int)");
    PgRestore.Result retried = restore.restore(next);
    assertThat(retried.replacedExisting()).isTrue();
    assertThat(cluster.psql("postgres", "select oid from pg_database where datname = 'ahead'")).isNotEqualTo(readyOid);
    assertThat(cluster.psql("ahead", "select count(*) from pg_class where relname = 'half_done'")).isEqualTo("0");
    assertThat(cluster.psql("ahead", "select count(*) from t")).isEqualTo("5000");
  }

  /**
   * A database made ready ahead is created after the download has ended: a drop (the drill's
   * cleanup, on any worker) or the restore's own preparation arriving before the CREATE DATABASE
   * has run must wait for it, not miss the database and leave it behind or collide with it.
   */
  @Test
  void aDropOrARestoreWaitsForAPreparationHoldingTheName() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      PgRestore.Request req =
          new PgRestore.Request(server, "raced", backup.file(), backup.globals().roles(), 2, true, null, "run 9 done");
      Paused ahead = aheadPausedOnceLocked(pool, req);
      Future<Boolean> drop = pool.submit(() -> new PgDatabases(conns).drop(server, "raced"));
      Thread.sleep(300);
      assertThat(drop).isNotDone(); // without the lock it finds nothing to drop, at once
      ahead.finish();
      assertThat(drop.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(cluster.psql("postgres", "select count(*) from pg_database where datname = 'raced'")).isEqualTo("0");

      Paused again = aheadPausedOnceLocked(pool, req);
      Future<PgRestore.Result> restored = pool.submit(() -> restore.restore(req));
      Thread.sleep(300);
      assertThat(restored).isNotDone();
      again.finish();
      PgRestore.Result r = restored.get(60, TimeUnit.SECONDS);
      assertThat(r.replacedExisting()).isFalse(); // took the database made ready, did not collide with it
      assertThat(cluster.psql("raced", "select count(*) from t")).isEqualTo("5000");
    } finally {
      pool.shutdownNow();
    }
  }

  /** A {@link PgRestore#prepareAhead} that holds the name's lock and goes on when finished. */
  private record Paused(CountDownLatch proceed, Future<?> preparation) {
    void finish() throws Exception {
      proceed.countDown();
      preparation.get(30, TimeUnit.SECONDS);
    }
  }

  private static Paused aheadPausedOnceLocked(ExecutorService pool, PgRestore.Request req) throws InterruptedException {
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Future<?> preparation = pool.submit(() -> restore.prepareAhead(req, () -> {
      locked.countDown();
      try {
        proceed.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
    return new Paused(proceed, preparation);
  }

  /** A worker killed between CREATE DATABASE and the mark leaves a sealed, unmarked database. */
  @Test
  void aSealedDatabaseWhoseMakerDiedBeforeMarkingItIsTakenAsMade() {
    cluster.psql("postgres", "create database unmarked template template0 allow_connections false");
    String oid = cluster.psql("postgres", "select oid from pg_database where datname = 'unmarked'");
    PgRestore.Result r = restore.restore(
        new PgRestore.Request(server, "unmarked", backup.file(), backup.globals().roles(), 2, true, null, "run 10 done"));
    assertThat(r.replacedExisting()).isFalse();
    assertThat(cluster.psql("postgres", "select oid from pg_database where datname = 'unmarked'")).isEqualTo(oid);
    assertThat(cluster.psql("unmarked", "select count(*) from t")).isEqualTo("5000");

    // Without the run's leave to replace its own database, a sealed one is not taken either.
    cluster.psql("postgres", "create database sealed_other template template0 allow_connections false");
    assertThatThrownBy(() -> restore.restore(request("sealed_other", false)))
        .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS));
  }

  @Test
  void theMaintenanceDatabaseIsNeverReplaced() {
    assertThatThrownBy(() -> restore.restore(request(server.maintenanceDatabase(), true)))
        .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
        .hasMessageContaining("maintenance database");
    assertThat(cluster.psql("postgres", "select count(*) from pg_class where relname = 't'")).isEqualTo("0");
  }

  @Test
  void resultReportsWhatWasDone() {
    PgRestore.Result r = restore.restore(request("result check", false));
    assertThat(r.database()).isEqualTo("result check");
    assertThat(r.server()).isEqualTo(server.server());
    assertThat(r.jobs()).isEqualTo(2);
    assertThat(r.replacedExisting()).isFalse();
    assertThat(r.dumpBytes()).isEqualTo(backup.file().toFile().length());
    assertThat(r.elapsed()).isPositive();
    assertThat(r.rolesCreated()).isEmpty(); // every role of the source exists here
  }

  @Test
  void pgRestoreSessionsAreTunedForABulkLoad() throws Exception {
    // A materialized view is refreshed by pg_restore itself, so its rows show its session.
    cluster.psql("postgres", "create database tuned_src");
    cluster.psql("tuned_src", "create materialized view session_settings as select"
        + " current_setting('synchronous_commit') as sc, current_setting('jit') as jit,"
        + " current_setting('maintenance_work_mem') as mwm");
    assertThat(cluster.psql("tuned_src", "select sc || ' ' || jit from session_settings"))
        .isEqualTo("off on"); // the test cluster's own settings
    Backup tuned = PgTestSupport.backup(
        conns, cluster.postgresConfig("tuned_src"), work.resolve("tuned.dump"), 1);
    restore.restore(new PgRestore.Request(server, "tuned_copy", tuned.file(), null, 2, false));
    assertThat(cluster.psql("tuned_copy", "select sc || ' ' || jit || ' ' || mwm from session_settings"))
        .isEqualTo("off off 256MB");
  }

  @Test
  void existingRolesAreNeverAlteredAndNoSuperuserIsCreated() throws Exception {
    cluster.psql("postgres", "create role existing_app login createdb connection limit 3");
    RoleSet wanted = new RoleSet(List.of(
        new Role("existing_app", false, false, false, true, false, false, false, -1),
        new Role("new_reader", false, false, false, false, true, false, false, 7),
        new Role("new_root", true, true, true, true, true, true, true, -1),
        new Role("new \"quoted\" role", false, true, false, true, false, false, false, -1)),
        List.of(new Membership("new_reader", "existing_app", false),
            new Membership("existing_app", "new_reader", true),
            new Membership("new_reader", "new \"quoted\" role", false)));
    PgRestore.Result r = restore.restore(new PgRestore.Request(server, "roles check",
        backup.file(), wanted, 1, false));

    assertThat(r.rolesCreated())
        .containsExactly("new_reader", "new_root", "new \"quoted\" role");
    assertThat(r.membershipsGranted())
        .containsExactly("new_reader in existing_app", "new \"quoted\" role in new_reader");
    assertThat(r.notes()).anyMatch(n -> n.contains("new_root") && n.contains("SUPERUSER"))
        .anyMatch(n -> n.contains("existing_app in new_reader") && n.contains("existed"));
    PostgresConfig pg = cluster.postgresConfig("postgres");
    assertThat(PgTestSupport.query(conns, pg, "select rolname, rolsuper, rolcanlogin, rolcreatedb,"
        + " rolinherit, rolreplication, rolbypassrls, rolconnlimit from pg_roles"
        + " where rolname in ('existing_app', 'new_reader', 'new_root', 'new \"quoted\" role')"
        + " order by 1"))
        .containsExactly(
            "existing_app|f|t|t|t|f|f|3",
            "new \"quoted\" role|f|f|t|t|f|f|-1",
            "new_reader|f|f|f|f|f|f|7",
            "new_root|f|f|t|t|t|t|-1");
    assertThat(PgTestSupport.query(conns, pg, "select r.rolname || ' has ' || m.rolname ||"
        + " case when am.admin_option then ' (admin)' else '' end from pg_auth_members am"
        + " join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member"
        + " where r.rolname like 'new%' or r.rolname like 'existing%' order by 1"))
        .containsExactly("existing_app has new_reader (admin)",
            "new_reader has new \"quoted\" role");
  }

  @Test
  void aFailedRestoreSaysWhyAndLeavesTheDatabaseToTheCaller() throws Exception {
    Path notADump = work.resolve("garbage.dump");
    Files.writeString(notADump, "this is not a custom-format archive");
    assertThatThrownBy(() -> restore.restore(new PgRestore.Request(server, "garbage", notADump,
        null, 2, false)))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
        .hasMessageContaining("pg_restore failed with exit code 1")
        .hasMessageContaining("valid archive");
    assertThat(new PgDatabases(conns).exists(server, "garbage")).isTrue();
  }

  @Test
  void badRequestsAreRejectedBeforeAnythingHappens() {
    assertThatThrownBy(() -> restore.restore(new PgRestore.Request(server, "nofile",
        work.resolve("missing.dump"), null, 2, false)))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    assertThatThrownBy(() -> restore.restore(new PgRestore.Request(server, "zero jobs",
        backup.file(), null, 0, false)))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    assertThatThrownBy(() -> restore.restore(new PgRestore.Request(server, "x".repeat(64),
        backup.file(), null, 1, false)))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    PgDatabases dbs = new PgDatabases(conns);
    assertThat(dbs.exists(server, "nofile")).isFalse();
    assertThat(dbs.exists(server, "zero jobs")).isFalse();
  }

  @Test
  void pgRestoreMustBeAtLeastAsNewAsThePgDumpThatWroteTheFile() {
    assertThat(PgRestore.requiredVersionNum(150004, null)).isEqualTo(150004);
    assertThat(PgRestore.requiredVersionNum(150004, "14.2")).isEqualTo(150004);
    assertThat(PgRestore.requiredVersionNum(150004, "17.1")).isEqualTo(170000);
    assertThat(PgRestore.requiredVersionNum(90624, "10.3")).isEqualTo(100000);
    assertThat(PgRestore.requiredVersionNum(150004, "9.6")).isEqualTo(150004);

    String version = PgTools.newest(null).version();
    PgRestore.Result r = restore.restore(new PgRestore.Request(server, "versioned",
        backup.file(), null, 1, false, version));
    assertThat(r.database()).isEqualTo("versioned");
    assertThatThrownBy(() -> restore.restore(new PgRestore.Request(server, "from the future",
        backup.file(), null, 1, false, "99.1")))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TOOL_UNAVAILABLE))
        .hasMessageContaining(">= 99");
    assertThat(new PgDatabases(conns).exists(server, "from the future")).isFalse();
  }

  @Test
  void theTickRunsWhilePgRestoreWorks() {
    AtomicInteger ticks = new AtomicInteger();
    restore.restore(request("ticked", false), Duration.ofMillis(1), ticks::incrementAndGet);
    assertThat(ticks.get()).isPositive();
  }

  private static PgRestore.Request request(String db, boolean replace) {
    return new PgRestore.Request(server, db, backup.file(), backup.globals().roles(), 2, replace);
  }
}
