package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The cluster-wide objects a database dump does not contain: roles (and tablespaces). Kept twice:
 * as pg_dumpall's SQL, for a person rebuilding a server by hand, and as a {@link RoleSet}, which
 * drflow's restore uses to create just the missing roles.
 *
 * @param sql {@code pg_dumpall --globals-only --no-role-passwords}: password hashes are not
 *     copied into backups, and without them pg_dumpall reads pg_roles, so it works for
 *     non-superusers too
 */
public record Globals(String sql, RoleSet roles) {

  /** Runs pg_dumpall and reads pg_roles/pg_auth_members of the server behind {@code target}. */
  public static Globals capture(PgTools tools, PgConnections connections, PostgresConfig target) {
    return capture(tools, connections, target, PgProcess.DEFAULT_TICK, null);
  }

  public static Globals capture(
      PgTools tools, PgConnections connections, PostgresConfig target, Duration every,
      Runnable tick) {
    RoleSet roles;
    // Connecting over JDBC first also classifies connection failures properly: pg_dumpall given
    // a database (-l) reports a failed connection only as "could not connect to database".
    try (Connection c = connections.open(target)) {
      roles = RoleSet.read(c);
    } catch (SQLException e) {
      throw PgException.fromSql("reading roles on " + PgConnections.where(target), e, false);
    }
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dumpall"))
        .args(
            "--globals-only",
            "--no-role-passwords",
            "--no-password",
            // An empty -l makes libpq fall back to PGDATABASE: the configured database, which
            // the user can surely connect to (pg_dumpall would otherwise try "postgres").
            "--database=")
        .environment(connections.environment(target))
        .stdout(PgProcess.Output.CAPTURE)
        .start()) {
      p.awaitSuccess(every, tick);
      return new Globals(p.capturedStdout(), roles);
    }
  }
}
