package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.postgres.ArchiveOffsets.TocItem;
import io.drflow.activities.postgres.CatalogQueries.Relation;
import io.drflow.activities.postgres.DatabaseInventory.TableCount;
import io.drflow.activities.postgres.RestoreValidator.ForeignKey;
import io.drflow.workflows.model.Check;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validator's row counts and orphan checks, made while pg_restore is still at work. A table
 * is counted as soon as pg_restore reports its data loaded (nothing in a restore changes a
 * table's rows after that) and its primary key, unique and exclusion constraints added (those
 * take an exclusive lock: a count holding the table would hold up pg_restore), while its other
 * indexes and the other tables are still being built. What was not reached that way
 * (partitions, which may receive rows routed through their root, and anything pg_restore did
 * not report) is counted once pg_restore has finished.
 *
 * <p>A foreign key that pg_restore reports having added, and that the restored catalog shows
 * validated, is not checked again by query: {@code ALTER TABLE ... ADD FOREIGN KEY} made
 * PostgreSQL look up every child row's parent moments before, and any orphan would have failed
 * the restore. Measured on a 1 GB restore, repeating that scan was the last two seconds of the
 * drill. Keys not added by this pg_restore run are checked by query as {@link RestoreValidator}
 * does. The checks otherwise come out as the validator makes them.
 */
public final class ScansDuringRestore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScansDuringRestore.class);

  private final PgConnections connections;
  private final PostgresConfig db;
  private final DatabaseInventory expected;
  private final Map<Integer, TocItem> toc;
  private final int parallelism;
  private final ExecutorService early;
  private final List<Connection> open = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Connection> connection = new ThreadLocal<>();
  private final Map<String, Object> counts = new ConcurrentHashMap<>();
  /** "schema table constraint" of every foreign key pg_restore reported adding. */
  private final Set<String> keysAdded = ConcurrentHashMap.newKeySet();
  private final Set<String> partitions = new HashSet<>();
  /** Per table, the exclusive-lock constraint items pg_restore has yet to finish. */
  private final Map<String, Set<Integer>> lockingItems = new ConcurrentHashMap<>();
  private final Set<String> loaded = ConcurrentHashMap.newKeySet();
  private final Set<String> counting = ConcurrentHashMap.newKeySet();
  private final AtomicInteger earlyScans = new AtomicInteger();
  private volatile boolean closed;
  private long waitedMillis;

  /**
   * @param toc the archive's followed TOC entries ({@link ArchiveOffsets#tocItems})
   * @param parallelism connections for the scans after the restore; while it runs, about half
   *     (the rest of the CPU belongs to pg_restore)
   */
  public ScansDuringRestore(
      PgConnections connections,
      PostgresConfig db,
      DatabaseInventory expected,
      Map<Integer, TocItem> toc,
      int parallelism) {
    this.connections = connections;
    this.db = db;
    this.expected = expected;
    this.toc = toc;
    this.parallelism = Math.max(1, parallelism);
    for (TableCount t : expected.tables()) {
      if ("partition".equals(t.kind())) {
        partitions.add(t.qualified());
      }
    }
    for (TocItem item : toc.values()) {
      if ("CONSTRAINT".equals(item.desc())) {
        String table = tableOf(item);
        if (table != null) {
          lockingItems.computeIfAbsent(table, k -> ConcurrentHashMap.newKeySet()).add(item.dumpId());
        }
      }
    }
    AtomicInteger n = new AtomicInteger();
    this.early =
        Executors.newFixedThreadPool(
            Math.max(1, this.parallelism / 2),
            r -> {
              Thread t = new Thread(r, "drflow-early-scan-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * pg_restore finished a TOC entry. Called from the thread reading its output, so it only
   * queues work.
   */
  public void itemFinished(int dumpId) {
    TocItem item = toc.get(dumpId);
    if (item == null || closed || item.namespace() == null || item.tag() == null) {
      return;
    }
    switch (item.desc()) {
      case "TABLE DATA", "MATERIALIZED VIEW DATA" -> {
        String qualified = item.namespace() + "." + item.tag();
        if (!partitions.contains(qualified) && expectedTable(qualified)) {
          loaded.add(qualified);
          countWhenFree(item.namespace(), item.tag());
        }
      }
      case "CONSTRAINT" -> {
        String table = tableOf(item);
        Set<Integer> pending = table == null ? null : lockingItems.get(table);
        if (pending != null && pending.remove(dumpId) && loaded.contains(table)) {
          countWhenFree(item.namespace(), table.substring(item.namespace().length() + 1));
        }
      }
      case "FK CONSTRAINT" -> keysAdded.add(item.namespace() + " " + item.tag());
      default -> {}
    }
  }

  /** Counts the table once no exclusive-lock item of pg_restore is still to come for it. */
  private void countWhenFree(String schema, String table) {
    String qualified = schema + "." + table;
    Set<Integer> pending = lockingItems.get(qualified);
    if ((pending == null || pending.isEmpty()) && counting.add(qualified)) {
      early.execute(() -> countEarly(schema, table));
    }
  }

  /** The expected table a constraint's tag ("table constraint") belongs to, or null. */
  private String tableOf(TocItem constraint) {
    if (constraint.namespace() == null || constraint.tag() == null) {
      return null;
    }
    String best = null;
    for (TableCount t : expected.tables()) {
      if (t.schema().equals(constraint.namespace())
          && constraint.tag().startsWith(t.name() + " ")
          && (best == null || t.qualified().length() > best.length())) {
        best = t.qualified();
      }
    }
    return best;
  }

  private boolean expectedTable(String qualified) {
    for (TableCount t : expected.tables()) {
      if (t.qualified().equals(qualified)) {
        return true;
      }
    }
    return false;
  }

  private void countEarly(String schema, String table) {
    Connection c = connection();
    if (c == null) {
      return;
    }
    long t0 = System.nanoTime();
    Object n = RestoreValidator.count(c, new Relation(schema, table, "table", 0));
    log.debug("counted {}.{} in {} ms", schema, table, (System.nanoTime() - t0) / 1_000_000);
    if (n instanceof Long) {
      counts.put(schema + "." + table, n);
      earlyScans.incrementAndGet();
    }
    // An error is left for the scan after the restore, which reports it if it persists.
  }

  /** This thread's connection, opened on first use; null once closed or unreachable. */
  private Connection connection() {
    Connection c = connection.get();
    if (c != null || closed) {
      return c;
    }
    try {
      c = open();
      connection.set(c);
      return c;
    } catch (RuntimeException | SQLException e) {
      log.debug("early scans cannot connect yet: {}", e.toString());
      return null;
    }
  }

  private Connection open() throws SQLException {
    Connection c = connections.open(db);
    open.add(c);
    try (Statement s = c.createStatement()) {
      for (String setting : RestoreValidator.SESSION_SETTINGS) {
        s.execute(setting);
      }
    }
    c.setReadOnly(true);
    return c;
  }

  /**
   * After pg_restore succeeded: waits for the early scans, scans what they did not cover, and
   * returns the "row counts" and "foreign keys" checks.
   */
  public List<Check> finish(Runnable tick) throws InterruptedException {
    long t0 = System.nanoTime();
    early.shutdown();
    while (!early.awaitTermination(1, TimeUnit.SECONDS)) {
      tick.run();
    }
    waitedMillis = (System.nanoTime() - t0) / 1_000_000;
    List<Connection> pool = new ArrayList<>();
    try {
      for (int i = 0; i < parallelism; i++) {
        pool.add(open());
      }
    } catch (SQLException e) {
      return failedBoth("could not connect: " + RestoreValidator.message(e));
    }
    return Ticking.call(
        "scans",
        java.time.Duration.ofSeconds(2),
        tick,
        () -> {
          try {
            return rest(pool);
          } catch (SQLException e) {
            return failedBoth("could not scan: " + RestoreValidator.message(e));
          }
        },
        () -> pool.forEach(ScansDuringRestore::abort));
  }

  private static List<Check> failedBoth(String why) {
    return List.of(
        RestoreValidator.failed("row counts", why), RestoreValidator.failed("foreign keys", why));
  }

  private List<Check> rest(List<Connection> pool) throws SQLException, InterruptedException {
    Connection c0 = pool.get(0);
    List<Relation> present = CatalogQueries.countedRelations(c0);
    Map<String, Relation> byName = new LinkedHashMap<>();
    present.forEach(r -> byName.put(r.qualifiedName(), r));
    List<ForeignKey> all = RestoreValidator.foreignKeys(c0);
    List<ForeignKey> checked = all.stream().filter(ForeignKey::validated).toList();

    List<Object> work = new ArrayList<>();
    for (TableCount t : expected.tables()) {
      Relation r = byName.get(t.qualified());
      if (r != null && !counts.containsKey(t.qualified())) {
        work.add(r);
      }
    }
    int byServer = 0;
    for (ForeignKey k : checked) {
      if (keysAdded.contains(k.childSchema() + " " + k.childTable() + " " + k.name())) {
        byServer++;
      } else {
        work.add(k);
      }
    }
    work.sort(Comparator.comparingLong((Object o) -> o instanceof Relation r ? r.pages() : 0).reversed());
    Map<Object, Object> results =
        ParallelWork.run(work, pool, (c, item) -> item instanceof Relation r
            ? RestoreValidator.count(c, r)
            : RestoreValidator.orphans(c, (ForeignKey) item), new AtomicInteger());
    Map<String, Object> allCounts = new LinkedHashMap<>(counts);
    Map<ForeignKey, Object> allOrphans = new LinkedHashMap<>();
    for (ForeignKey k : checked) {
      allOrphans.put(k, 0L); // validated by PostgreSQL unless queried below
    }
    results.forEach((item, v) -> {
      if (item instanceof Relation r) {
        allCounts.put(r.qualifiedName(), v);
      } else {
        allOrphans.put((ForeignKey) item, v);
      }
    });
    log.info(
        "{} of {} scans ran while pg_restore was still working ({} ms waited for them after it ended)",
        earlyScans.get(), earlyScans.get() + work.size(), waitedMillis);
    return List.of(
        RestoreValidator.rowCounts("row counts", expected, byName, allCounts),
        RestoreValidator.foreignKeys(
            "foreign keys", checked, all.size() - checked.size(), allOrphans, byServer));
  }

  /** Stops early scans (pg_restore failed or the activity was cancelled) and closes connections. */
  @Override
  public void close() {
    closed = true;
    early.shutdownNow();
    open.forEach(ScansDuringRestore::abort);
    try {
      early.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.forEach(SnapshotSession::closeQuietly);
  }

  private static void abort(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException ignored) {
      // closing anyway
    }
  }

  int earlyScans() {
    return earlyScans.get();
  }
}
