package io.drflow.activities.postgres;

import io.drflow.activities.postgres.RoleSet.Membership;
import io.drflow.activities.postgres.RoleSet.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates the roles a restored database refers to (owners, grantees) that the target server lacks.
 * Only ever adds: a role that exists is neither altered nor dropped, and gets no new memberships,
 * because the target may be a shared server whose roles other people depend on. Roles are created
 * NOLOGIN (a restored copy is not where production users log in) and never SUPERUSER.
 */
public final class RoleRestorer {

  /** What was done, and in {@code notes} what was deliberately not done and why. */
  public record Outcome(List<String> created, List<String> membershipsGranted, List<String> notes) {}

  private RoleRestorer() {}

  /** Creates missing roles and their memberships, via {@code c} (autocommit). */
  public static Outcome ensure(Connection c, RoleSet wanted) throws SQLException {
    Set<String> existing = roleNames(c);
    boolean superuser = isSuperuser(c);
    List<String> created = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Role role : wanted.roles()) {
      if (existing.contains(role.name())) {
        continue;
      }
      if (createRole(c, role, superuser, notes)) {
        created.add(role.name());
      }
      existing.add(role.name());
    }
    if (!created.isEmpty()) {
      notes.add("roles created NOLOGIN: " + String.join(", ", created));
    }

    Set<String> createdNow = new HashSet<>(created);
    Set<String> memberships = membershipPairs(c);
    List<String> granted = new ArrayList<>();
    for (Membership m : wanted.memberships()) {
      String pair = m.member() + " in " + m.role();
      if (memberships.contains(m.role() + "\u0000" + m.member())) {
        continue;
      }
      if (!existing.contains(m.role()) || !existing.contains(m.member())) {
        notes.add("membership " + pair + " skipped: a role is missing on the target");
        continue;
      }
      if (!createdNow.contains(m.member())) {
        notes.add("membership " + pair + " not granted: " + m.member()
            + " existed on the target already and drflow does not change existing roles");
        continue;
      }
      try (Statement s = c.createStatement()) {
        s.execute("grant " + Sql.quoteIdent(m.role()) + " to " + Sql.quoteIdent(m.member())
            + (m.adminOption() ? " with admin option" : ""));
      }
      granted.add(pair);
    }
    return new Outcome(List.copyOf(created), List.copyOf(granted), List.copyOf(notes));
  }

  /** The CREATE ROLE drflow issues for {@code role}; attribute keywords are fixed words. */
  static String createRoleSql(Role role, boolean asSuperuser) {
    StringBuilder sql = new StringBuilder("create role ")
        .append(Sql.quoteIdent(role.name()))
        .append(" with nologin nosuperuser")
        .append(role.createdb() ? " createdb" : " nocreatedb")
        .append(role.createrole() ? " createrole" : " nocreaterole")
        .append(role.inherit() ? " inherit" : " noinherit");
    // Only a superuser may hand out REPLICATION and BYPASSRLS.
    if (asSuperuser) {
      sql.append(role.replication() ? " replication" : " noreplication")
          .append(role.bypassrls() ? " bypassrls" : " nobypassrls");
    }
    sql.append(" connection limit ").append(role.connectionLimit());
    return sql.toString();
  }

  private static boolean createRole(Connection c, Role role, boolean superuser, List<String> notes)
      throws SQLException {
    if (role.superuser()) {
      notes.add("role " + role.name() + " was SUPERUSER in the source; created without it,"
          + " drflow never creates superusers");
    }
    if (!superuser && (role.replication() || role.bypassrls())) {
      notes.add("role " + role.name() + " created without REPLICATION/BYPASSRLS: only a"
          + " superuser can grant them");
    }
    try (Statement s = c.createStatement()) {
      s.execute(createRoleSql(role, superuser));
      return true;
    } catch (SQLException e) {
      if ("42710".equals(e.getSQLState())) {
        return false; // created concurrently by someone else: it exists, which is all we need
      }
      throw e;
    }
  }

  private static Set<String> roleNames(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("select rolname from pg_roles");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static boolean isSuperuser(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("select rolsuper from pg_roles where rolname = current_user");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static Set<String> membershipPairs(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(
            "select r.rolname, m.rolname from pg_auth_members am"
                + " join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1) + "\u0000" + rs.getString(2));
      }
    }
    return out;
  }
}
