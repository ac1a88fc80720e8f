package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.DatabaseInventory.TableCount;
import io.drflow.activities.postgres.PgTestSupport.Backup;
import io.drflow.workflows.model.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row counts and orphan checks made while pg_restore runs, against the validator's own. */
class ScansDuringRestoreTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static Backup backup;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    cluster.psql("postgres", "create database src");
    cluster.psql(
        "src",
        """
        create schema shop;
        create table shop.customers (id int primary key, name text);
        insert into shop.customers select g, 'c' || g from generate_series(1, 3000) g;
        create table shop.orders (id int primary key, customer int references shop.customers);
        insert into shop.orders select g, 1 + g % 3000 from generate_series(1, 20000) g;
        create table shop.lines (order_id int references shop.orders, n int, primary key (order_id, n));
        insert into shop.lines select 1 + g % 20000, g from generate_series(1, 30000) g;
        create table shop.parted (id int, at date) partition by range (at);
        create table shop.parted_a partition of shop.parted for values from ('2025-01-01') to ('2026-01-01');
        create table shop.parted_b partition of shop.parted for values from ('2026-01-01') to ('2027-01-01');
        insert into shop.parted select g, date '2025-03-01' + (g % 500) from generate_series(1, 4000) g;
        create table shop.refs_parted (id int, at date, customer int references shop.customers);
        insert into shop.refs_parted select g, null, 1 + g % 10 from generate_series(1, 50) g;
        create materialized view shop.order_count as select count(*) from shop.orders;
        create table shop.loose (customer int);
        insert into shop.loose values (1), (999999);
        alter table shop.loose add constraint loose_fk foreign key (customer)
          references shop.customers not valid;
        """);
    backup = PgTestSupport.backup(conns, cluster.postgresConfig("src"), work.resolve("src.pgc"), 2);
    ArchiveOffsets.ensure(backup.file());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<Check> restoreWithScans(String db, DatabaseInventory expected, int[] early)
      throws Exception {
    return restoreWithScans(db, expected, early, id -> true, () -> {});
  }

  /**
   * @param heard which of pg_restore's finished items the scans are told about
   * @param afterRestore runs between pg_restore's end and the final scans
   */
  private static List<Check> restoreWithScans(
      String db,
      DatabaseInventory expected,
      int[] early,
      java.util.function.IntPredicate heard,
      Runnable afterRestore)
      throws Exception {
    try (ScansDuringRestore scans =
        new ScansDuringRestore(
            conns,
            cluster.postgresConfig(db),
            expected,
            ArchiveOffsets.tocItems(backup.file()),
            2)) {
      new PgRestore(conns, null)
          .restore(
              new PgRestore.Request(cluster.serverConfig(), db, backup.file(), null, 2, false),
              Duration.ofSeconds(1),
              () -> {},
              id -> {
                if (heard.test(id)) {
                  scans.itemFinished(id);
                }
              });
      afterRestore.run();
      List<Check> checks = scans.finish(() -> {});
      early[0] = scans.earlyScans();
      return checks;
    }
  }

  @Test
  void givesTheValidatorsChecksWithMostScansMadeWhileRestoring() throws Exception {
    int[] early = new int[1];
    List<Check> during = restoreWithScans("during", backup.inventory(), early);
    List<Check> after =
        new RestoreValidator(conns).validate(cluster.postgresConfig("during"), backup.inventory(), List.of());

    assertThat(during).extracting(Check::name).containsExactly("row counts", "foreign keys");
    assertThat(during.get(0)).isEqualTo(after.get(0));
    assertThat(during).allSatisfy(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    assertThat(after.get(2).detail()).startsWith("3 foreign keys checked, no orphaned rows");
    assertThat(during.get(1).detail())
        .startsWith("3 foreign keys checked (3 validated row by row by PostgreSQL as pg_restore"
            + " added them, 0 by query), no orphaned rows")
        .endsWith("1 NOT VALID key(s) not checked");
    // customers, orders, lines, refs_parted, loose and order_count; the partitions wait.
    assertThat(early[0]).isGreaterThanOrEqualTo(5);
  }

  @Test
  void keysPgRestoreDidNotReportAddingAreCheckedByQuery() throws Exception {
    java.util.Map<Integer, ArchiveOffsets.TocItem> toc = ArchiveOffsets.tocItems(backup.file());
    List<Check> checks = restoreWithScans(
        "unreported", backup.inventory(), new int[1],
        id -> toc.get(id) == null || !toc.get(id).desc().equals("FK CONSTRAINT"),
        () -> cluster.psql("unreported", "set session_replication_role = replica;"
            + " insert into shop.lines values (999999, 1);"));
    Check keys = checks.get(1);
    assertThat(keys.passed()).isFalse();
    assertThat(keys.detail()).contains("shop.lines.lines_order_id_fkey (1 orphaned rows)");
    // and the count of the table changed after it was counted is the restore's, not the insert's
    assertThat(checks.get(0).passed()).isTrue();
  }

  @Test
  void aCountThatDiffersFromTheInventoryFailsNamingTheTable() throws Exception {
    List<TableCount> tables = new ArrayList<>();
    for (TableCount t : backup.inventory().tables()) {
      tables.add(t.name().equals("orders") || t.name().equals("parted_b")
          ? new TableCount(t.schema(), t.name(), t.kind(), t.rows() + 1)
          : t);
    }
    DatabaseInventory wrong = new DatabaseInventory(
        backup.inventory().serverVersion(), backup.inventory().serverVersionNum(), tables,
        backup.inventory().largeObjects(), backup.inventory().indexes(),
        backup.inventory().constraints(), backup.inventory().notValidConstraints(),
        backup.inventory().invalidIndexes());
    List<Check> checks = restoreWithScans("differs", wrong, new int[1]);

    Check counts = checks.get(0);
    assertThat(counts.passed()).isFalse();
    assertThat(counts.detail())
        .contains("2 of " + tables.size() + " tables differ")
        .contains("shop.orders has 20,000 rows, expected 20,001")
        .contains("shop.parted_b has");
  }

  @Test
  void validationTakesTheRestoresChecksInsteadOfScanningAgain() throws Exception {
    List<Check> made = List.of(
        new Check("row counts", true, "made during the restore"),
        new Check("foreign keys", true, "made during the restore too"));
    restoreWithScans("reused", backup.inventory(), new int[1]);
    List<Check> checks = new RestoreValidator(conns).validate(
        cluster.postgresConfig("reused"), backup.inventory(), List.of(), Duration.ofSeconds(1),
        () -> {}, made);
    assertThat(checks).extracting(Check::name)
        .containsExactly("row counts", "large objects", "foreign keys", "indexes", "constraints");
    assertThat(checks.get(0)).isEqualTo(made.get(0));
    assertThat(checks.get(2)).isEqualTo(made.get(1));
    assertThat(Files.exists(backup.file())).isTrue();
  }
}
