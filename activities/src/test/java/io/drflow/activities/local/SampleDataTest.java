package io.drflow.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.postgres.DatabaseInventory;
import io.drflow.activities.postgres.Globals;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgDump;
import io.drflow.activities.postgres.PgProcess;
import io.drflow.activities.postgres.PgRestore;
import io.drflow.activities.postgres.PgTools;
import io.drflow.activities.postgres.RestoreValidator;
import io.drflow.activities.postgres.SnapshotSession;
import io.drflow.workflows.model.Check;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo database, taken through the whole backup, restore and validation path. */
class SampleDataTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;

  @TempDir static Path work;

  @BeforeAll
  static void start() {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void backsUpRestoresAndValidates() throws Exception {
    long t0 = System.nanoTime();
    SampleData.create(conns, cluster.serverConfig(), "shop");
    long created = System.nanoTime();

    Path file = work.resolve("shop.dump");
    DatabaseInventory inventory;
    Globals globals;
    try (SnapshotSession session = SnapshotSession.open(conns, cluster.postgresConfig("shop"))) {
      inventory = session.inventory(2);
      PgTools tools = PgTools.forServer(null, session.serverVersionNum());
      try (PgProcess dump = PgDump.start(tools, conns, session);
          OutputStream out = Files.newOutputStream(file)) {
        dump.stdout().transferTo(out);
        dump.awaitSuccess();
      }
      globals = Globals.capture(tools, conns, session.target());
    }
    long dumped = System.nanoTime();

    PgRestore.Result restored = new PgRestore(conns, null).restore(new PgRestore.Request(
        cluster.serverConfig(), "shop restored", file, globals.roles(), 2, false));
    long restoredAt = System.nanoTime();

    List<Check> checks = new RestoreValidator(conns).validate(
        cluster.postgresConfig("shop restored"), inventory, List.of(
            new DrillConfig.Assertion("every order has items", "select not exists (select 1 from"
                + " sales.orders o where not exists (select 1 from sales.order_items i"
                + " where i.order_id = o.id and i.ordered_at = o.ordered_at))"),
            new DrillConfig.Assertion("invoice numbers continue",
                "select last_value = 105999 and is_called from sales.invoice_no_seq")));
    long validated = System.nanoTime();

    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    assertThat(inventory.totalRows()).isBetween(40_000L, 60_000L);
    assertThat(inventory.tables()).extracting(DatabaseInventory.TableCount::qualified)
        .contains("sales.customers", "sales.orders_2025_07", "sales.monthly_revenue",
            "sales.Produktbewertungen (ü)");
    assertThat(inventory.largeObjects()).isEqualTo(1);
    System.out.printf("sample data: %,d rows in %d tables, dump %,d bytes%n",
        inventory.totalRows(), inventory.tables().size(), Files.size(file));
    System.out.printf("timings: create %d ms, snapshot+count+dump+globals %d ms,"
            + " restore (-j2) %d ms (pg_restore reported %d ms), validate %d ms%n",
        ms(created - t0), ms(dumped - created), ms(restoredAt - dumped),
        restored.elapsed().toMillis(), ms(validated - restoredAt));
    checks.forEach(c -> System.out.println("  " + c));
  }

  @Test
  void isTheSameOnEveryRun() throws Exception {
    SampleData.create(conns, cluster.serverConfig(), "shop one");
    SampleData.create(conns, cluster.serverConfig(), "shop two");
    assertThat(fingerprint(cluster.postgresConfig("shop two")))
        .isEqualTo(fingerprint(cluster.postgresConfig("shop one")));
  }

  private static List<String> fingerprint(PostgresConfig db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = conns.open(db);
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("select format('%I.%I', schemaname, tablename)"
          + " from pg_tables where schemaname = 'sales' order by 1")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        try (ResultSet rs = s.executeQuery("select md5(string_agg(x::text, ',' order by x::text))"
            + " from " + t + " x")) {
          rs.next();
          out.add(t + " " + rs.getString(1));
        }
      }
      try (ResultSet rs = s.executeQuery("select last_value from sales.invoice_no_seq")) {
        rs.next();
        out.add("seq " + rs.getString(1));
      }
    }
    return out;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
