package io.drflow.activities.postgres;

import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.postgres.CatalogQueries.Relation;
import io.drflow.activities.postgres.DatabaseInventory.TableCount;
import io.drflow.workflows.model.Check;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Proves a restored database against the inventory taken inside the backup's snapshot: row
 * counts, large objects, orphaned foreign keys, indexes, constraints, and the service's own SQL
 * assertions. Every finding is a {@link Check} with its figure; a check that cannot run fails
 * with the reason rather than throwing, so one broken assertion does not hide the others.
 */
public final class RestoreValidator {

  public static final Duration DEFAULT_ASSERTION_TIMEOUT = Duration.ofSeconds(60);
  /** How many differing tables or foreign keys a check names before summarising the rest. */
  static final int LISTED = 10;

  private final PgConnections connections;
  private final int parallelism;
  private final Duration assertionTimeout;

  public RestoreValidator(PgConnections connections) {
    this(connections, defaultParallelism(), DEFAULT_ASSERTION_TIMEOUT);
  }

  private static Check made(List<Check> checks, String name) {
    if (checks == null) {
      return null;
    }
    return checks.stream().filter(c -> name.equals(c.name())).findFirst().orElse(null);
  }

  /** One connection per core of this host (at least 2, at most 8): the scans are CPU-bound. */
  public static int defaultParallelism() {
    return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Session settings for the validating connections. Each table is one query and the tables run
   * side by side, so the planner's parallel workers would only compete with them; and these
   * queries run once, so compiling them with JIT costs more than it saves (measured on a 1 GB
   * restore: the orphan check took half the CPU with both off).
   */
  static final List<String> SESSION_SETTINGS =
      List.of("set statement_timeout = 0", "set jit = off", "set max_parallel_workers_per_gather = 0");

  /**
   * @param parallelism connections used for row counts and foreign key checks
   * @param assertionTimeout statement timeout of each service assertion
   */
  public RestoreValidator(PgConnections connections, int parallelism, Duration assertionTimeout) {
    this.connections = connections;
    this.parallelism = Math.max(1, parallelism);
    this.assertionTimeout = assertionTimeout;
  }

  public List<Check> validate(
      PostgresConfig restored,
      DatabaseInventory expected,
      List<DrillConfig.Assertion> assertions) {
    return validate(restored, expected, assertions, PgProcess.DEFAULT_TICK, null);
  }

  /**
   * All checks, in a fixed order: row counts, large objects, foreign keys, indexes, constraints,
   * then one per assertion. {@code tick} is called every {@code every} meanwhile; if it throws,
   * validation is abandoned and the exception propagates.
   *
   * @throws PgException only when the restored database cannot be reached at all
   */
  public List<Check> validate(
      PostgresConfig restored,
      DatabaseInventory expected,
      List<DrillConfig.Assertion> assertions,
      Duration every,
      Runnable tick) {
    return validate(restored, expected, assertions, every, tick, List.of());
  }

  /**
   * As above, taking the row count and foreign key checks from {@code alreadyMade} when it has
   * both (see {@link ScansDuringRestore}) instead of scanning again.
   */
  public List<Check> validate(
      PostgresConfig restored,
      DatabaseInventory expected,
      List<DrillConfig.Assertion> assertions,
      Duration every,
      Runnable tick,
      List<Check> alreadyMade) {
    Check madeCounts = made(alreadyMade, "row counts");
    Check madeKeys = made(alreadyMade, "foreign keys");
    boolean scanned = madeCounts != null && madeKeys != null;
    List<Connection> open = new CopyOnWriteArrayList<>();
    try {
      return Ticking.call("validate", every, tick, () -> {
        List<Connection> pool = new ArrayList<>();
        // The catalog checks and assertions need one connection; the scans, all of them.
        for (int i = 0; i < (scanned ? 1 : parallelism); i++) {
          Connection c = connections.open(restored);
          open.add(c);
          try (Statement s = c.createStatement()) {
            // Counts and key checks take what they take.
            for (String setting : SESSION_SETTINGS) {
              s.execute(setting);
            }
          }
          c.setReadOnly(true);
          pool.add(c);
        }
        List<Check> checks = new ArrayList<>();
        Scans scans = scanned ? new Scans(madeCounts, madeKeys) : scan(pool, expected);
        checks.add(scans.rowCounts());
        checks.add(largeObjects(pool.get(0), expected));
        checks.add(scans.foreignKeys());
        checks.add(indexes(pool.get(0), expected));
        checks.add(constraints(pool.get(0), expected));
        for (DrillConfig.Assertion a : assertions == null ? List.<DrillConfig.Assertion>of()
            : assertions) {
          checks.add(assertion(pool.get(0), a));
        }
        return List.copyOf(checks);
      }, () -> open.forEach(RestoreValidator::abort));
    } finally {
      open.forEach(SnapshotSession::closeQuietly);
    }
  }

  // ---- (a) row counts and (b) orphaned foreign keys, as one queue of scans --------------------

  /** One table scan: a count, or an orphan check whose cost is both tables'. */
  private sealed interface Scan permits CountScan, KeyScan {
    long pages();
  }

  private record CountScan(Relation relation) implements Scan {
    @Override
    public long pages() {
      return relation.pages();
    }
  }

  private record KeyScan(ForeignKey key, long pages) implements Scan {}

  /** The two checks the scans feed. */
  record Scans(Check rowCounts, Check foreignKeys) {}

  /**
   * Counts every table and checks every validated foreign key over the whole pool, biggest scans
   * first, so a long orphan check runs beside the counts instead of after them.
   */
  Scans scan(List<Connection> pool, DatabaseInventory expected) {
    String countName = "row counts";
    String keyName = "foreign keys";
    List<Relation> present;
    List<ForeignKey> keys;
    String countProblem = null;
    String keyProblem = null;
    try {
      present = CatalogQueries.countedRelations(pool.get(0));
    } catch (SQLException e) {
      present = null;
      countProblem = "could not list tables: " + message(e);
    }
    try {
      keys = foreignKeys(pool.get(0));
    } catch (SQLException e) {
      keys = null;
      keyProblem = "could not list foreign keys: " + message(e);
    }
    Map<String, Relation> byName = new LinkedHashMap<>();
    if (present != null) {
      present.forEach(r -> byName.put(r.qualifiedName(), r));
    }
    List<Scan> work = new ArrayList<>();
    Map<String, Relation> pagesOf = new LinkedHashMap<>(byName);
    if (present != null) {
      for (TableCount t : expected.tables()) {
        Relation r = byName.get(t.qualified());
        if (r != null) {
          work.add(new CountScan(r));
        }
      }
    }
    // A NOT VALID key may legitimately have orphans, in the source as in a faithful copy.
    List<ForeignKey> checked =
        keys == null ? List.of() : keys.stream().filter(ForeignKey::validated).toList();
    for (ForeignKey k : checked) {
      work.add(new KeyScan(k, pages(pagesOf, k.childSchema(), k.childTable())
          + pages(pagesOf, k.parentSchema(), k.parentTable())));
    }
    work.sort(Comparator.comparingLong(Scan::pages).reversed());
    Map<Scan, Object> results;
    try {
      results = ParallelWork.run(work, pool, (c, item) -> switch (item) {
        case CountScan cs -> count(c, cs.relation());
        case KeyScan ks -> orphans(c, ks.key());
      }, new AtomicInteger());
    } catch (SQLException e) {
      String why = "could not scan: " + message(e);
      return new Scans(failed(countName, countProblem != null ? countProblem : why),
          failed(keyName, keyProblem != null ? keyProblem : why));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Scans(failed(countName, "interrupted"), failed(keyName, "interrupted"));
    }
    Map<String, Object> counted = new LinkedHashMap<>();
    Map<ForeignKey, Object> orphans = new LinkedHashMap<>();
    for (Scan item : work) {
      Object v = results.get(item);
      if (item instanceof CountScan cs) {
        counted.put(cs.relation().qualifiedName(), v);
      } else if (item instanceof KeyScan ks) {
        orphans.put(ks.key(), v);
      }
    }
    Check countCheck = countProblem != null
        ? failed(countName, countProblem)
        : rowCounts(countName, expected, byName, counted);
    Check keyCheck = keyProblem != null
        ? failed(keyName, keyProblem)
        : foreignKeys(keyName, checked, keys.size() - checked.size(), orphans);
    return new Scans(countCheck, keyCheck);
  }

  private static long pages(Map<String, Relation> relations, String schema, String table) {
    Relation r = relations.get(schema + "." + table);
    return r == null ? 0 : r.pages();
  }

  static Check rowCounts(
      String name,
      DatabaseInventory expected,
      Map<String, Relation> present,
      Map<String, Object> counted) {
    List<String> differences = new ArrayList<>();
    Map<String, Relation> extra = new LinkedHashMap<>(present);
    for (TableCount t : expected.tables()) {
      if (extra.remove(t.qualified()) == null) {
        differences.add(t.qualified() + " missing (expected " + fmt(t.rows()) + " rows)");
      }
    }
    extra.keySet().forEach(e -> differences.add(e + " not in the backup's inventory"));
    long rows = 0;
    for (TableCount t : expected.tables()) {
      Object got = counted.get(t.qualified());
      if (got == null) {
        continue; // reported missing above
      }
      if (got instanceof Long n) {
        rows += n;
        if (n != t.rows()) {
          differences.add(t.qualified() + " has " + fmt(n) + " rows, expected " + fmt(t.rows()));
        }
      } else {
        differences.add(t.qualified() + " " + got);
      }
    }
    if (differences.isEmpty()) {
      return new Check(name, true, expected.tables().size() + " tables, " + fmt(rows)
          + " rows match the backup's inventory");
    }
    return failed(name, differences.size() + " of " + expected.tables().size()
        + " tables differ: " + listed(differences));
  }

  Check largeObjects(Connection c, DatabaseInventory expected) {
    String name = "large objects";
    try {
      long n = CatalogQueries.largeObjects(c);
      boolean ok = n == expected.largeObjects();
      return new Check(name, ok, fmt(n) + " large objects"
          + (ok ? ", as in the backup" : ", expected " + fmt(expected.largeObjects())));
    } catch (SQLException e) {
      return failed(name, "could not count: " + message(e));
    }
  }

  // ---- foreign keys ---------------------------------------------------------------------------

  /** A foreign key as the catalog describes it; kinds tell whether ONLY applies. */
  record ForeignKey(
      String name,
      String childSchema,
      String childTable,
      String childKind,
      List<String> childColumns,
      String parentSchema,
      String parentTable,
      String parentKind,
      List<String> parentColumns,
      boolean validated) {

    String label() {
      return childSchema + "." + childTable + "." + name;
    }

    /**
     * Child rows with no parent row, with MATCH SIMPLE semantics: a row with any NULL key column
     * references nothing. ONLY on plain tables because foreign keys are not inherited by
     * inheritance children; a partitioned table's key covers all its partitions.
     */
    String orphanQuery() {
      String child = (childKind.equals("r") ? "only " : "") + Sql.qualified(childSchema, childTable);
      String parent =
          (parentKind.equals("r") ? "only " : "") + Sql.qualified(parentSchema, parentTable);
      StringBuilder notNull = new StringBuilder();
      StringBuilder join = new StringBuilder();
      for (int i = 0; i < childColumns.size(); i++) {
        String cc = "c." + Sql.quoteIdent(childColumns.get(i));
        String pc = "p." + Sql.quoteIdent(parentColumns.get(i));
        notNull.append(i == 0 ? "" : " and ").append(cc).append(" is not null");
        join.append(i == 0 ? "" : " and ").append(pc).append(" = ").append(cc);
      }
      return "select count(*) from " + child + " c where " + notNull
          + " and not exists (select 1 from " + parent + " p where " + join + ")";
    }
  }

  static Check foreignKeys(
      String name, List<ForeignKey> checked, int skipped, Map<ForeignKey, Object> orphans) {
    return foreignKeys(name, checked, skipped, orphans, 0);
  }

  /**
   * @param byServer how many of {@code checked} PostgreSQL validated as pg_restore added them
   *     (see {@link ScansDuringRestore}) rather than drflow's query
   */
  static Check foreignKeys(
      String name,
      List<ForeignKey> checked,
      int skipped,
      Map<ForeignKey, Object> orphans,
      int byServer) {
    List<String> bad = new ArrayList<>();
    long orphanRows = 0;
    for (ForeignKey k : checked) {
      Object v = orphans.get(k);
      if (v instanceof Long n) {
        if (n > 0) {
          orphanRows += n;
          bad.add(k.label() + " (" + fmt(n) + " orphaned rows)");
        }
      } else {
        bad.add(k.label() + " " + v);
      }
    }
    String skippedNote = skipped == 0 ? "" : "; " + skipped + " NOT VALID key(s) not checked";
    String how = byServer == 0 ? ""
        : " (" + byServer + " validated row by row by PostgreSQL as pg_restore added them, "
            + (checked.size() - byServer) + " by query)";
    if (bad.isEmpty()) {
      return new Check(name, true,
          checked.size() + " foreign keys checked" + how + ", no orphaned rows" + skippedNote);
    }
    return failed(name, bad.size() + " of " + checked.size() + " foreign keys have "
        + fmt(orphanRows) + " orphaned rows: " + listed(bad) + skippedNote);
  }

  static List<ForeignKey> foreignKeys(Connection c) throws SQLException {
    return foreignKeys(c, null, null);
  }

  /**
   * Foreign keys of user tables; with {@code schema} and {@code tableAndName}, only the one
   * pg_restore names "table constraint" in that schema (as its TOC tags them).
   */
  static List<ForeignKey> foreignKeys(Connection c, String schema, String tableAndName)
      throws SQLException {
    // conparentid = 0: partitions carry clones of their parent's key (and a key referencing a
    // partitioned table has one row per referenced partition); the parent's covers them all.
    String sql =
        "select co.conname, cn.nspname, cc.relname, cc.relkind::text,"
            + " array(select a.attname::text from unnest(co.conkey) with ordinality k(attnum, ord)"
            + "       join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum"
            + "       order by k.ord),"
            + " pn.nspname, pc.relname, pc.relkind::text,"
            + " array(select a.attname::text from unnest(co.confkey) with ordinality k(attnum, ord)"
            + "       join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k.attnum"
            + "       order by k.ord),"
            + " co.convalidated"
            + " from pg_constraint co"
            + " join pg_class cc on cc.oid = co.conrelid"
            + " join pg_namespace cn on cn.oid = cc.relnamespace"
            + " join pg_class pc on pc.oid = co.confrelid"
            + " join pg_namespace pn on pn.oid = pc.relnamespace"
            + " where co.contype = 'f' and co.conparentid = 0 and cc.relpersistence <> 't'"
            + " and " + CatalogQueries.userSchema("cn")
            + (schema == null ? "" : " and cn.nspname = ? and cc.relname || ' ' || co.conname = ?")
            + " order by cn.nspname, cc.relname, co.conname";
    List<ForeignKey> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (schema != null) {
        ps.setString(1, schema);
        ps.setString(2, tableAndName);
      }
      try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), strings(rs.getArray(5)), rs.getString(6), rs.getString(7),
            rs.getString(8), strings(rs.getArray(9)), rs.getBoolean(10)));
      }
      }
    }
    return out;
  }

  /** Orphaned child rows of a key: a count, or why it could not be checked. */
  static Object orphans(Connection c, ForeignKey key) {
    try (PreparedStatement ps = c.prepareStatement(key.orphanQuery());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return "could not check: " + message(e);
    }
  }

  /** Rows of a relation: a count, or why it could not be counted. */
  static Object count(Connection c, Relation r) {
    try {
      return CatalogQueries.countRows(c, r);
    } catch (SQLException e) {
      return "could not count: " + message(e);
    }
  }

  // ---- (c) indexes, (d) constraints ----------------------------------------------------------

  Check indexes(Connection c, DatabaseInventory expected) {
    String name = "indexes";
    try {
      int valid = CatalogQueries.validIndexes(c);
      List<String> invalid = CatalogQueries.invalidIndexes(c);
      List<String> problems = new ArrayList<>();
      if (!invalid.isEmpty()) {
        problems.add(invalid.size() + " invalid: " + listed(invalid));
      }
      if (valid != expected.indexes()) {
        problems.add(valid + " valid indexes, expected " + expected.indexes());
      }
      if (problems.isEmpty()) {
        return new Check(name, true, valid + " valid indexes, as in the backup; none invalid");
      }
      return failed(name, String.join("; ", problems));
    } catch (SQLException e) {
      return failed(name, "could not inspect: " + message(e));
    }
  }

  Check constraints(Connection c, DatabaseInventory expected) {
    String name = "constraints";
    try {
      int count = CatalogQueries.constraints(c);
      TreeSet<String> notValid = new TreeSet<>(CatalogQueries.notValidConstraints(c));
      TreeSet<String> expectedNotValid = new TreeSet<>(expected.notValidConstraints());
      List<String> problems = new ArrayList<>();
      if (count != expected.constraints()) {
        problems.add(count + " constraints, expected " + expected.constraints());
      }
      if (!notValid.equals(expectedNotValid)) {
        TreeSet<String> unexpected = new TreeSet<>(notValid);
        unexpected.removeAll(expectedNotValid);
        TreeSet<String> missing = new TreeSet<>(expectedNotValid);
        missing.removeAll(notValid);
        if (!unexpected.isEmpty()) {
          problems.add("NOT VALID but valid in the backup: " + listed(List.copyOf(unexpected)));
        }
        if (!missing.isEmpty()) {
          problems.add("NOT VALID in the backup but not here: " + listed(List.copyOf(missing)));
        }
      }
      if (problems.isEmpty()) {
        return new Check(name, true, count + " constraints, as in the backup"
            + (notValid.isEmpty() ? "" : "; NOT VALID as in the backup: " + listed(
                List.copyOf(notValid))));
      }
      return failed(name, String.join("; ", problems));
    } catch (SQLException e) {
      return failed(name, "could not inspect: " + message(e));
    }
  }

  // ---- (e) service assertions ----------------------------------------------------------------

  /**
   * Runs the assertion in a READ ONLY transaction with a statement timeout and rolls it back. It
   * passes only on exactly one row of one column holding boolean true (or the text 't').
   * Assertions come from the operator's configuration and are trusted as such; read-only is
   * a guard against mistakes, not against a hostile author.
   */
  Check assertion(Connection c, DrillConfig.Assertion a) {
    String name = "assertion: " + a.name();
    long started = System.nanoTime();
    try {
      c.setAutoCommit(false); // with setReadOnly(true) the driver begins READ ONLY
      try (Statement s = c.createStatement()) {
        s.execute("set local statement_timeout = " + Math.max(1, assertionTimeout.toMillis()));
        if (!s.execute(a.sql())) {
          return failed(name, "the SQL returned no result set (it must be a query)");
        }
        try (ResultSet rs = s.getResultSet()) {
          return judge(name, rs, Duration.ofNanos(System.nanoTime() - started));
        }
      }
    } catch (SQLException e) {
      return failed(name, "error: " + message(e));
    } finally {
      try {
        c.rollback();
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next check reports the broken connection
      }
    }
  }

  private static Check judge(String name, ResultSet rs, Duration took) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    if (md.getColumnCount() != 1) {
      return failed(name, "returned " + md.getColumnCount() + " columns, expected 1");
    }
    if (!rs.next()) {
      return failed(name, "returned no rows, expected one row holding true");
    }
    Object value = rs.getObject(1);
    int rows = 1;
    while (rs.next()) {
      rows++;
    }
    if (rows != 1) {
      return failed(name, "returned " + rows + " rows, expected 1");
    }
    boolean isTrue = Boolean.TRUE.equals(value) || "t".equals(value);
    if (!isTrue) {
      return failed(name, "returned " + describe(value) + ", expected true");
    }
    return new Check(name, true, "returned true in " + took.toMillis() + " ms");
  }

  // ---- helpers -------------------------------------------------------------------------------

  static Check failed(String name, String detail) {
    return new Check(name, false, detail);
  }

  private static String describe(Object value) {
    if (value == null) {
      return "NULL";
    }
    String s = String.valueOf(value);
    if (s.length() > 80) {
      s = s.substring(0, 80) + "...";
    }
    return value instanceof Boolean ? s : "'" + s + "' (" + value.getClass().getSimpleName() + ")";
  }

  static String listed(List<String> items) {
    if (items.size() <= LISTED) {
      return String.join(", ", items);
    }
    return items.stream().limit(LISTED).collect(Collectors.joining(", "))
        + " and " + (items.size() - LISTED) + " more";
  }

  static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String message(SQLException e) {
    String m = String.valueOf(e.getMessage()).strip();
    return e.getSQLState() == null ? m : m + " [SQLSTATE " + e.getSQLState() + "]";
  }

  private static List<String> strings(Array a) throws SQLException {
    Object[] values = (Object[]) a.getArray();
    List<String> out = new ArrayList<>(values.length);
    for (Object v : values) {
      out.add((String) v);
    }
    return out;
  }

  private static void abort(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException ignored) {
      // closing anyway
    }
  }
}
