package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A backup and restore the way the activities will do them, plus ways to compare databases. */
public final class PgTestSupport {

  private PgTestSupport() {}

  /** What a backup produced: the dump file, the inventory taken in its snapshot, the globals. */
  record Backup(Path file, DatabaseInventory inventory, Globals globals, long millis) {}

  public static Backup backup(PgConnections conns, PostgresConfig source, Path file, int parallelism)
      throws Exception {
    long started = System.nanoTime();
    DatabaseInventory inventory;
    PgTools tools;
    try (SnapshotSession session = SnapshotSession.open(conns, source)) {
      inventory = session.inventory(parallelism);
      tools = PgTools.forServer(null, session.serverVersionNum());
      try (PgProcess dump = PgDump.start(tools, conns, session);
          OutputStream out = Files.newOutputStream(file)) {
        dump.stdout().transferTo(out);
        dump.awaitSuccess();
      }
    }
    Globals globals = Globals.capture(tools, conns, source);
    return new Backup(file, inventory, globals, (System.nanoTime() - started) / 1_000_000);
  }

  public static PgRestore.Result restore(
      PgConnections conns, ServerConfig target, String database, Backup backup, int jobs) {
    return new PgRestore(conns, null).restore(new PgRestore.Request(
        target, database, backup.file(), backup.globals().roles(), jobs, false));
  }

  /**
   * {@code pg_dump --schema-only} without the random {@code \restrict} keys and with the database
   * name replaced, so two databases holding the same objects compare equal.
   */
  public static String schemaDump(LocalPostgresCluster cluster, String database) {
    PgTools tools = PgTools.forServer(null, cluster.majorVersion() * 10000);
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump"))
        .args("--schema-only", "--no-password")
        .environment(cluster.connections().environment(cluster.postgresConfig(database)))
        .stdout(PgProcess.Output.CAPTURE)
        .start()) {
      p.awaitSuccess();
      return p.capturedStdout().lines()
          .filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
          .collect(Collectors.joining("\n"));
    }
  }

  /** md5 of every table's and materialized view's rows in a canonical order, by name. */
  public static Map<String, String> tableChecksums(PgConnections conns, PostgresConfig db)
      throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = conns.open(db)) {
      for (CatalogQueries.Relation r : CatalogQueries.countedRelations(c)) {
        List<String> rows = rows(c, "select md5(coalesce(string_agg(t::text, ',' order by t::text),"
            + " '')) || ' ' || count(*) from only " + r.quoted() + " t");
        out.put(r.qualifiedName(), rows.get(0));
      }
    }
    return out;
  }

  public static List<String> query(PgConnections conns, PostgresConfig db, String sql)
      throws SQLException {
    try (Connection c = conns.open(db)) {
      return rows(c, sql);
    }
  }

  public static void execute(PgConnections conns, PostgresConfig db, String... statements)
      throws SQLException {
    try (Connection c = conns.open(db);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Each row as its columns joined by '|'. */
  public static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          sb.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  public static String single(PgConnections conns, PostgresConfig db, String sql) throws SQLException {
    List<String> rows = query(conns, db, sql);
    if (rows.size() != 1) {
      throw new AssertionError(sql + " returned " + rows.size() + " rows");
    }
    return rows.get(0);
  }
}
