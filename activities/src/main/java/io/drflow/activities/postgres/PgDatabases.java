package io.drflow.activities.postgres;

import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.postgres.PgException.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates, drops and renames whole databases on a server, connected to its maintenance database
 * (a database cannot be dropped or renamed by a session connected to it).
 */
public final class PgDatabases {

  private final PgConnections connections;

  public PgDatabases(PgConnections connections) {
    this.connections = connections;
  }

  public boolean exists(ServerConfig server, String name) {
    requireName(name);
    try (Connection c = connections.open(server)) {
      return exists(c, name);
    } catch (SQLException e) {
      throw PgException.fromSql("looking up database " + name + " on " + server.server(), e, false);
    }
  }

  /**
   * Creates an empty database from template0 (template1 may hold objects that would collide with
   * the restore).
   *
   * @throws PgException ALREADY_EXISTS when it is there: replacing a database is the caller's
   *     decision ({@link #drop} first)
   */
  public void create(ServerConfig server, String name) {
    requireName(name);
    try (Connection c = connections.open(server)) {
      create(c, server, name, true);
    } catch (SQLException e) {
      throw PgException.fromSql("connecting to create database " + name + " on " + server.server(), e, false);
    }
  }

  /**
   * {@link #create(ServerConfig, String)} on session {@code c} (of {@code server}); {@code
   * allowConnections} false creates it sealed: no session, not even a superuser's, can connect
   * until {@link #unseal}, so a sealed database is provably as created.
   */
  static void create(Connection c, ServerConfig server, String name, boolean allowConnections) {
    try (Statement s = c.createStatement()) {
      s.execute("create database " + Sql.quoteIdent(name) + " template template0"
          + (allowConnections ? "" : " allow_connections false"));
    } catch (SQLException e) {
      PgException pe = PgException.fromSql(
          "creating database " + name + " on " + server.server(), e, false);
      if (pe.kind() == Kind.ALREADY_EXISTS) {
        throw new PgException(Kind.ALREADY_EXISTS,
            "database " + name + " already exists on " + server.server(), e);
      }
      throw pe;
    }
  }

  /**
   * Drops the database after ending every session in it. Idempotent. Waits while another session
   * holds the database's name ({@link #lockName}): a database being created elsewhere is dropped
   * once it exists, rather than missed and left behind.
   *
   * @return whether there was a database to drop
   */
  public boolean drop(ServerConfig server, String name) {
    requireName(name);
    refuseMaintenanceDatabase(server, name, "drop");
    try (Connection c = connections.open(server)) {
      lockName(c, name);
      return drop(c, name);
    } catch (SQLException e) {
      throw PgException.fromSql("dropping database " + name + " on " + server.server(), e, false);
    }
  }

  /** {@link #drop(ServerConfig, String)} on a session that holds the name's lock. */
  static boolean drop(Connection c, String name) throws SQLException {
    if (!exists(c, name)) {
      return false;
    }
    terminateSessions(c, name);
    boolean force = PgConnections.serverVersionNum(c) >= 130000;
    try (Statement s = c.createStatement()) {
      // FORCE (13+) also ends sessions that connected after the terminate above.
      s.execute("drop database if exists " + Sql.quoteIdent(name) + (force ? " with (force)" : ""));
    }
    return true;
  }

  /**
   * Takes drflow's lock on the name {@code name} for {@code c}'s session (an advisory lock in the
   * maintenance database, so every worker sees it), waiting while another session holds it; it
   * is held until the session ends. Whoever creates a database holds it from before checking the
   * name until the new database is marked, and {@link #drop} takes it too: a drop can then never
   * run between a CREATE DATABASE and the mark that says whose database it is.
   */
  static void lockName(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_lock(?)")) {
      ps.setLong(1, nameLockKey(name));
      ps.executeQuery().close();
    }
  }

  /** Stable across workers and releases: the first 8 bytes of the SHA-256 of the name. */
  static long nameLockKey(String name) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest(("drflow database " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.nio.ByteBuffer.wrap(h).getLong();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renames {@code from} to {@code to}, ending the sessions in {@code from} first. */
  public void rename(ServerConfig server, String from, String to) {
    requireName(from);
    requireName(to);
    refuseMaintenanceDatabase(server, from, "rename");
    try (Connection c = connections.open(server)) {
      terminateSessions(c, from);
      try (Statement s = c.createStatement()) {
        s.execute("alter database " + Sql.quoteIdent(from) + " rename to " + Sql.quoteIdent(to));
      }
    } catch (SQLException e) {
      throw PgException.fromSql(
          "renaming database " + from + " to " + to + " on " + server.server(), e, false);
    }
  }

  /** Sets the database's comment (what {@code \\l+} shows). */
  public void comment(ServerConfig server, String name, String comment) {
    requireName(name);
    try (Connection c = connections.open(server)) {
      comment(c, name, comment);
    } catch (SQLException e) {
      throw PgException.fromSql("commenting database " + name + " on " + server.server(), e, false);
    }
  }

  static void comment(Connection c, String name, String comment) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("comment on database " + Sql.quoteIdent(name) + " is "
          + (comment == null ? "null" : Sql.quoteLiteral(comment)));
    }
  }

  /** Whether sessions may connect to the database (false: created sealed, see {@link #create}). */
  static boolean allowsConnections(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select datallowconn from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return !rs.next() || rs.getBoolean(1);
      }
    }
  }

  static void unseal(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.quoteIdent(name) + " with allow_connections true");
    }
  }

  /** The database's comment, or null when it has none (or does not exist). */
  static String comment(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** @throws PgException BAD_INPUT when {@code name} cannot be a database name */
  public static void requireName(String name) {
    String why = Sql.invalidIdentifierReason(name);
    if (why != null) {
      throw new PgException(Kind.BAD_INPUT, "invalid database name '" + name + "': " + why);
    }
  }

  static boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void terminateSessions(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            + " where datname = ? and pid <> pg_backend_pid()")) {
      ps.setString(1, name);
      ps.executeQuery().close();
    }
  }

  static void refuseMaintenanceDatabase(ServerConfig server, String name, String verb) {
    if (name.equals(server.maintenanceDatabase())) {
      throw new PgException(Kind.BAD_INPUT, "refusing to " + verb + " " + name
          + ": it is the maintenance database drflow connects to on " + server.server());
    }
  }
}
