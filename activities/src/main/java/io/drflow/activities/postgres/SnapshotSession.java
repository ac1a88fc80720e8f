package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.postgres.CatalogQueries.Relation;
import io.drflow.activities.postgres.DatabaseInventory.TableCount;
import io.drflow.activities.postgres.PgException.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open REPEATABLE READ transaction whose snapshot is exported, so that the row counts taken
 * here and {@code pg_dump --snapshot} see exactly the same data. The transaction (and with it the
 * snapshot) stays open until {@link #close()}: close only after pg_dump has finished.
 *
 * <p>TRUNCATE is not MVCC-safe: a table truncated after the snapshot but before pg_dump locks it
 * would dump empty while the inventory counted its rows. Restore validation then reports the
 * mismatch, which is what it is for.
 */
public final class SnapshotSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SnapshotSession.class);
  private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-F]+-[0-9A-F]+(-[0-9]+)?");

  /** Counting progress, as reported to the caller's tick. */
  public record CountProgress(int tablesCounted, int tablesTotal) {}

  private final PgConnections connections;
  private final PostgresConfig target;
  private final Connection connection;
  private final String snapshotId;
  private final Instant snapshotAt;
  private final String serverVersion;
  private final int serverVersionNum;

  private SnapshotSession(
      PgConnections connections,
      PostgresConfig target,
      Connection connection,
      String snapshotId,
      Instant snapshotAt,
      String serverVersion,
      int serverVersionNum) {
    this.connections = connections;
    this.target = target;
    this.connection = connection;
    this.snapshotId = snapshotId;
    this.snapshotAt = snapshotAt;
    this.serverVersion = serverVersion;
    this.serverVersionNum = serverVersionNum;
  }

  /** Connects, begins the transaction and exports its snapshot. */
  public static SnapshotSession open(PgConnections connections, PostgresConfig target) {
    Connection c = connections.open(target);
    try {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("set transaction isolation level repeatable read, read only");
        // A server-wide idle-in-transaction timeout would end the snapshot while the caller is
        // busy streaming the dump.
        s.execute("set local idle_in_transaction_session_timeout = 0");
        s.execute("set local statement_timeout = 0");
        try (ResultSet rs = s.executeQuery(
            "select pg_export_snapshot(), statement_timestamp(),"
                + " current_setting('server_version'),"
                + " current_setting('server_version_num')::int")) {
          rs.next();
          String id = rs.getString(1);
          Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
          log.debug("exported snapshot {} on {}", id, PgConnections.where(target));
          return new SnapshotSession(
              connections, target, c, id, at, rs.getString(3), rs.getInt(4));
        }
      }
    } catch (SQLException e) {
      closeQuietly(c);
      throw PgException.fromSql("exporting a snapshot on " + PgConnections.where(target), e, false);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** The id for {@code pg_dump --snapshot} and {@code SET TRANSACTION SNAPSHOT}. */
  public String snapshotId() {
    return snapshotId;
  }

  /** When the snapshot was taken, by the server's clock. */
  public Instant snapshotAt() {
    return snapshotAt;
  }

  public String serverVersion() {
    return serverVersion;
  }

  public int serverVersionNum() {
    return serverVersionNum;
  }

  public PostgresConfig target() {
    return target;
  }

  /** {@link #inventory(int, Duration, Consumer)} without progress reports. */
  public DatabaseInventory inventory(int parallelism) {
    return inventory(parallelism, PgProcess.DEFAULT_TICK, null);
  }

  /**
   * Counts every table's rows and takes the index and constraint inventory, all as of the
   * snapshot. Row counts run over up to {@code parallelism} extra connections, each of which
   * imports the snapshot first, so parallel counting sees the same data as a serial one.
   *
   * @param progress called every {@code every} with how far counting got; if it throws, counting
   *     is abandoned (its connections closed) and the exception propagates
   */
  public DatabaseInventory inventory(
      int parallelism, Duration every, Consumer<CountProgress> progress) {
    List<Relation> relations;
    long largeObjects;
    int indexes;
    int constraints;
    List<String> notValid;
    List<String> invalidIndexes;
    try {
      relations = CatalogQueries.countedRelations(connection);
      largeObjects = CatalogQueries.largeObjects(connection);
      indexes = CatalogQueries.validIndexes(connection);
      constraints = CatalogQueries.constraints(connection);
      notValid = CatalogQueries.notValidConstraints(connection);
      invalidIndexes = CatalogQueries.invalidIndexes(connection);
    } catch (SQLException e) {
      throw PgException.fromSql("reading the catalog inside the snapshot", e, false);
    }

    List<Relation> biggestFirst = new ArrayList<>(relations);
    biggestFirst.sort(Comparator.comparingLong(Relation::pages).reversed());
    int workers = Math.max(1, Math.min(parallelism, relations.size()));
    List<Connection> counting = new CopyOnWriteArrayList<>();
    AtomicBoolean aborted = new AtomicBoolean();
    AtomicInteger done = new AtomicInteger();
    Runnable tick = progress == null
        ? null
        : () -> progress.accept(new CountProgress(done.get(), relations.size()));
    Map<Relation, Long> counts;
    try {
      counts = Ticking.call(
          "row-count",
          every,
          tick,
          () -> {
            for (int i = 0; i < workers && !aborted.get(); i++) {
              counting.add(importingConnection());
            }
            try {
              return ParallelWork.run(biggestFirst, counting, CatalogQueries::countRows, done);
            } catch (SQLException e) {
              throw PgException.fromSql("counting rows inside the snapshot", e, false);
            }
          },
          () -> {
            aborted.set(true);
            abortAll(counting);
          });
    } finally {
      counting.forEach(SnapshotSession::closeQuietly);
    }

    List<TableCount> tables = new ArrayList<>();
    for (Relation r : relations) {
      tables.add(new TableCount(r.schema(), r.name(), r.kind(), counts.get(r)));
    }
    return new DatabaseInventory(
        serverVersion,
        serverVersionNum,
        List.copyOf(tables),
        largeObjects,
        indexes,
        constraints,
        List.copyOf(notValid),
        List.copyOf(invalidIndexes));
  }

  /** Ends the transaction, which releases the snapshot. */
  @Override
  public void close() {
    try {
      connection.rollback(); // read only: nothing to commit
    } catch (SQLException e) {
      log.debug("ending snapshot transaction: {}", e.getMessage());
    }
    closeQuietly(connection);
  }

  /** A new connection whose transaction sees exactly this session's snapshot. */
  private Connection importingConnection() {
    if (!SNAPSHOT_ID.matcher(snapshotId).matches()) {
      throw new PgException(Kind.BAD_INPUT, "unexpected snapshot id format: " + snapshotId);
    }
    Connection c = connections.open(target);
    try {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("set transaction isolation level repeatable read, read only");
        s.execute("set transaction snapshot " + Sql.quoteLiteral(snapshotId));
        // A role's default statement_timeout must not cut a long count short (pg_dump, on the
        // same data, disables it for itself too).
        s.execute("set local statement_timeout = 0");
      }
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw PgException.fromSql("importing snapshot " + snapshotId, e, false);
    }
  }

  private static void abortAll(List<Connection> cs) {
    for (Connection c : List.copyOf(cs)) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        log.debug("aborting a counting connection: {}", e.getMessage());
      }
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing a connection: {}", e.getMessage());
    }
  }
}
