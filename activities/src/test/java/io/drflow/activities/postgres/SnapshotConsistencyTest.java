package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.workflows.model.Check;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows committed by another session after the snapshot was exported must be in neither the
 * inventory (counted over several connections that import the snapshot) nor the dump.
 */
class SnapshotConsistencyTest {

  static final int TABLES = 6;
  static final int ROWS_PER_TABLE = 5_000;

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static PostgresConfig source;

  @TempDir static Path work;

  @BeforeAll
  static void start() {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    cluster.psql("postgres", "create database busy");
    source = cluster.postgresConfig("busy");
    StringBuilder ddl = new StringBuilder();
    for (int i = 0; i < TABLES; i++) {
      ddl.append("create table t").append(i).append(" (id bigserial primary key, v text);\n")
          .append("insert into t").append(i).append(" (v) select 'row ' || g from generate_series(1, ")
          .append(ROWS_PER_TABLE).append(") g;\n");
    }
    cluster.psql("busy", ddl.toString());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void rowsCommittedAfterTheSnapshotAreNeitherCountedNorDumped() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong inserted = new AtomicLong();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Path file = work.resolve("busy.dump");
    DatabaseInventory inventory;

    try (SnapshotSession session = SnapshotSession.open(conns, source)) {
      Thread writer = new Thread(() -> writeUntilStopped(stop, inserted, writerFailure));
      writer.start();
      try {
        waitUntil(() -> inserted.get() >= 300);
        inventory = session.inventory(3);
        PgTools tools = PgTools.forServer(null, session.serverVersionNum());
        try (PgProcess dump = PgDump.start(tools, conns, session);
            OutputStream out = Files.newOutputStream(file)) {
          dump.stdout().transferTo(out);
          dump.awaitSuccess();
        }
      } finally {
        stop.set(true);
        writer.join();
      }
    }
    assertThat(writerFailure.get()).isNull();
    assertThat(inserted.get()).isGreaterThanOrEqualTo(300);

    // the source has grown, the inventory has not
    long sourceRows = 0;
    for (int i = 0; i < TABLES; i++) {
      sourceRows += Long.parseLong(PgTestSupport.single(conns, source, "select count(*) from t" + i));
    }
    assertThat(sourceRows).isEqualTo((long) TABLES * ROWS_PER_TABLE + inserted.get());
    assertThat(inventory.tables()).hasSize(TABLES)
        .allSatisfy(t -> assertThat(t.rows()).as(t.qualified()).isEqualTo(ROWS_PER_TABLE));

    // and neither has the dump
    PgTestSupport.Backup backup = new PgTestSupport.Backup(file, inventory,
        new Globals("", new RoleSet(List.of(), List.of())), 0);
    PgTestSupport.restore(conns, cluster.serverConfig(), "busy restored", backup, 2);
    PostgresConfig copy = cluster.postgresConfig("busy restored");
    for (int i = 0; i < TABLES; i++) {
      assertThat(PgTestSupport.single(conns, copy, "select count(*) from t" + i))
          .isEqualTo(Integer.toString(ROWS_PER_TABLE));
    }
    List<Check> checks = new RestoreValidator(conns).validate(copy, inventory, List.of());
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
  }

  @Test
  void progressIsReportedAndAThrowingCallbackAbandonsCounting() {
    List<SnapshotSession.CountProgress> seen = new CopyOnWriteArrayList<>();
    try (SnapshotSession session = SnapshotSession.open(conns, source)) {
      DatabaseInventory inv = session.inventory(2, Duration.ofMillis(1), seen::add);
      assertThat(inv.tables()).hasSize(TABLES);
    }
    assertThat(seen).isNotEmpty().allSatisfy(p -> {
      assertThat(p.tablesTotal()).isEqualTo(TABLES);
      assertThat(p.tablesCounted()).isBetween(0, TABLES);
    });

    RuntimeException cancelled = new RuntimeException("cancelled");
    try (SnapshotSession session = SnapshotSession.open(conns, source)) {
      assertThatThrownBy(() -> session.inventory(2, Duration.ofMillis(1), p -> {
        throw cancelled;
      })).isSameAs(cancelled);
    }
  }

  /** Inserts one row at a time into every table, committing each, until told to stop. */
  private static void writeUntilStopped(
      AtomicBoolean stop, AtomicLong inserted, AtomicReference<Throwable> failure) {
    try (Connection c = conns.open(source);
        Statement s = c.createStatement()) {
      int i = 0;
      while (!stop.get()) {
        s.execute("insert into t" + (i++ % TABLES) + " (v) values ('late')");
        inserted.incrementAndGet();
      }
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(10);
    }
  }
}
