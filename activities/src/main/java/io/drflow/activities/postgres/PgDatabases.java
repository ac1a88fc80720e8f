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
    try (Connection c = connections.open(server);
        Statement s = c.createStatement()) {
      s.execute("create database " + Sql.quoteIdent(name) + " template template0");
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
   * Drops the database after ending every session in it. Idempotent.
   *
   * @return whether there was a database to drop
   */
  public boolean drop(ServerConfig server, String name) {
    requireName(name);
    refuseMaintenanceDatabase(server, name, "drop");
    try (Connection c = connections.open(server)) {
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
    } catch (SQLException e) {
      throw PgException.fromSql("dropping database " + name + " on " + server.server(), e, false);
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
    try (Connection c = connections.open(server);
        Statement s = c.createStatement()) {
      s.execute("comment on database " + Sql.quoteIdent(name) + " is " + Sql.quoteLiteral(comment));
    } catch (SQLException e) {
      throw PgException.fromSql("commenting database " + name + " on " + server.server(), e, false);
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

  private static void refuseMaintenanceDatabase(ServerConfig server, String name, String verb) {
    if (name.equals(server.maintenanceDatabase())) {
      throw new PgException(Kind.BAD_INPUT, "refusing to " + verb + " " + name
          + ": it is the maintenance database drflow connects to on " + server.server());
    }
  }
}
