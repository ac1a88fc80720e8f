package io.drflow.activities.postgres;

import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.postgres.PgException.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The database side of a recovery: what the damaged database looks like, and the swap of the
 * restored database into its name and back. Every step looks at the names first and does only
 * what is still missing, so a retry after a crash finishes a swap instead of repeating it.
 */
public final class PgRecovery {

  /** What a half-finished or finished swap looks like. */
  public enum SwapState {
    SWAPPED,
    ALREADY_SWAPPED,
    SWAPPED_BACK,
    NOTHING_TO_UNDO
  }

  /**
   * @param marker written as the restored database's comment, so it is recognized under any name
   */
  public record SwapNames(String production, String restored, String preRecovery, String marker) {}

  public record SwapOutcome(SwapState state, List<String> actions) {}

  /**
   * @param lastWriteAt the last commit's time, when {@code track_commit_timestamp} is on
   * @param problem why the server or database did not answer
   */
  public record Assessment(
      boolean serverReachable,
      boolean databaseExists,
      boolean databaseReachable,
      Long sizeBytes,
      java.time.Instant lastWriteAt,
      String problem) {}

  /** Raised when the names are in a state no interrupted swap leaves: a person must look. */
  public static final class UnexpectedStateException extends RuntimeException {
    public UnexpectedStateException(String message) {
      super(message);
    }
  }

  private static final int RENAME_ATTEMPTS = 5;
  private static final Duration RENAME_PAUSE = Duration.ofMillis(300);

  private final PgConnections connections;

  public PgRecovery(PgConnections connections) {
    this.connections = connections;
  }

  public Assessment assess(ServerConfig server, String database) {
    boolean exists;
    try (Connection c = connections.open(server)) {
      exists = PgDatabases.exists(c, database);
    } catch (PgException e) {
      if (e.kind() == Kind.UNREACHABLE || e.kind() == Kind.TRANSIENT) {
        return new Assessment(false, false, false, null, null, e.getMessage());
      }
      throw e;
    } catch (SQLException e) {
      return new Assessment(false, false, false, null, null, e.getMessage());
    }
    if (!exists) {
      return new Assessment(true, false, false, null, null, "database " + database + " does not exist");
    }
    try (Connection c = connections.open(server.database(database));
        Statement s = c.createStatement()) {
      long size;
      try (ResultSet rs = s.executeQuery("select pg_database_size(current_database())")) {
        rs.next();
        size = rs.getLong(1);
      }
      return new Assessment(true, true, true, size, lastWrite(s).orElse(null), null);
    } catch (PgException e) {
      return new Assessment(true, true, false, null, null, e.getMessage());
    } catch (SQLException e) {
      return new Assessment(true, true, false, null, null, e.getMessage());
    }
  }

  /** Only the server knows when it last committed, and only with track_commit_timestamp on. */
  private static Optional<java.time.Instant> lastWrite(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("select current_setting('track_commit_timestamp')")) {
      rs.next();
      if (!"on".equals(rs.getString(1))) {
        return Optional.empty();
      }
    }
    try (ResultSet rs = s.executeQuery("select timestamp from pg_last_committed_xact()")) {
      if (rs.next()) {
        Timestamp t = rs.getTimestamp(1);
        return Optional.ofNullable(t).map(Timestamp::toInstant);
      }
    }
    return Optional.empty();
  }

  /**
   * Moves the production database aside to {@code preRecovery} (when there is one: a lost
   * database leaves nothing to move) and the restored one into its name.
   */
  public SwapOutcome swap(ServerConfig server, SwapNames n) {
    requireDistinct(n);
    List<String> actions = new ArrayList<>();
    try (Connection c = connections.open(server)) {
      boolean prod = PgDatabases.exists(c, n.production());
      boolean restored = PgDatabases.exists(c, n.restored());
      boolean pre = PgDatabases.exists(c, n.preRecovery());
      if (!restored) {
        if (prod && n.marker().equals(comment(c, n.production()))) {
          return new SwapOutcome(SwapState.ALREADY_SWAPPED, List.of());
        }
        throw new UnexpectedStateException(
            "the restored database " + n.restored() + " does not exist and " + n.production()
                + (prod ? " is not the one this run restored" : " does not exist either"));
      }
      setComment(c, n.restored(), n.marker());
      if (prod) {
        if (pre) {
          throw new UnexpectedStateException(
              "both " + n.production() + " and " + n.preRecovery() + " exist while " + n.restored()
                  + " is not yet swapped in: resolve by hand which one is the damaged database");
        }
        rename(c, n.production(), n.preRecovery());
        actions.add("renamed " + n.production() + " to " + n.preRecovery());
      }
      rename(c, n.restored(), n.production());
      actions.add("renamed " + n.restored() + " to " + n.production());
      return new SwapOutcome(SwapState.SWAPPED, actions);
    } catch (SQLException e) {
      throw PgException.fromSql("swapping " + n.restored() + " into " + n.production(), e, false);
    }
  }

  /** Undoes {@link #swap} as far as it went. */
  public SwapOutcome swapBack(ServerConfig server, SwapNames n) {
    requireDistinct(n);
    List<String> actions = new ArrayList<>();
    try (Connection c = connections.open(server)) {
      boolean prod = PgDatabases.exists(c, n.production());
      if (prod && n.marker().equals(comment(c, n.production()))) {
        if (PgDatabases.exists(c, n.restored())) {
          throw new UnexpectedStateException(
              n.production() + " is this run's restored database, but " + n.restored()
                  + " exists too: resolve by hand");
        }
        rename(c, n.production(), n.restored());
        actions.add("renamed " + n.production() + " back to " + n.restored());
        prod = false;
      }
      if (!prod && PgDatabases.exists(c, n.preRecovery())) {
        rename(c, n.preRecovery(), n.production());
        actions.add("renamed " + n.preRecovery() + " back to " + n.production());
      }
      return new SwapOutcome(
          actions.isEmpty() ? SwapState.NOTHING_TO_UNDO : SwapState.SWAPPED_BACK, actions);
    } catch (SQLException e) {
      throw PgException.fromSql("swapping " + n.production() + " back", e, false);
    }
  }

  /** The database's comment, or null. */
  public String comment(ServerConfig server, String database) {
    try (Connection c = connections.open(server)) {
      return comment(c, database);
    } catch (SQLException e) {
      throw PgException.fromSql("reading the comment of " + database, e, false);
    }
  }

  private static String comment(Connection c, String database) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void setComment(Connection c, String database, String comment)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "comment on database " + Sql.quoteIdent(database) + " is " + Sql.quoteLiteral(comment));
    }
  }

  /**
   * Ends the sessions in {@code from} and renames it. A client reconnecting between the two makes
   * the rename fail ("being accessed by other users"); a few quick attempts ride that out.
   */
  private static void rename(Connection c, String from, String to) throws SQLException {
    PgDatabases.requireName(to);
    for (int attempt = 1; ; attempt++) {
      try (PreparedStatement end =
              c.prepareStatement(
                  "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                      + " where datname = ? and pid <> pg_backend_pid()");
          Statement s = c.createStatement()) {
        end.setString(1, from);
        end.executeQuery().close();
        s.execute("alter database " + Sql.quoteIdent(from) + " rename to " + Sql.quoteIdent(to));
        return;
      } catch (SQLException e) {
        if (!"55006".equals(e.getSQLState()) || attempt >= RENAME_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(RENAME_PAUSE.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static void requireDistinct(SwapNames n) {
    for (String name : List.of(n.production(), n.restored(), n.preRecovery())) {
      PgDatabases.requireName(name);
    }
    if (n.production().equals(n.restored())
        || n.production().equals(n.preRecovery())
        || n.restored().equals(n.preRecovery())) {
      throw new PgException(Kind.BAD_INPUT, "a swap needs three different database names");
    }
    if (n.marker() == null || n.marker().isBlank()) {
      throw new PgException(Kind.BAD_INPUT, "a swap needs a marker naming the run");
    }
  }
}
