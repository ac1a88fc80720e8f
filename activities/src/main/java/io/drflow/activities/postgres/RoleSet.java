package io.drflow.activities.postgres;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's roles and memberships in a form a restore can act on role by role (pg_dumpall's
 * SQL can only be replayed whole, which would ALTER roles that already exist on the target).
 * Built-in {@code pg_*} roles are left out: every server has its own.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoleSet(List<Role> roles, List<Membership> memberships) {

  public RoleSet {
    roles = roles == null ? List.of() : List.copyOf(roles);
    memberships = memberships == null ? List.of() : List.copyOf(memberships);
  }

  /** A role's attributes as in pg_roles; {@code connectionLimit} -1 means unlimited. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Role(
      String name,
      boolean superuser,
      boolean createdb,
      boolean createrole,
      boolean inherit,
      boolean login,
      boolean replication,
      boolean bypassrls,
      int connectionLimit) {}

  /** {@code member} is a member of {@code role}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Membership(String role, String member, boolean adminOption) {}

  public Optional<Role> role(String name) {
    return roles.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** Reads the roles of the server {@code c} is connected to. */
  public static RoleSet read(Connection c) throws SQLException {
    List<Role> roles = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
            "select rolname, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin,"
                + " rolreplication, rolbypassrls, rolconnlimit"
                + " from pg_roles where rolname !~ '^pg_' order by rolname");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        roles.add(new Role(
            rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
            rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8),
            rs.getInt(9)));
      }
    }
    List<Membership> memberships = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
            "select r.rolname, m.rolname, am.admin_option from pg_auth_members am"
                + " join pg_roles r on r.oid = am.roleid"
                + " join pg_roles m on m.oid = am.member"
                + " where r.rolname !~ '^pg_' and m.rolname !~ '^pg_'"
                + " order by 1, 2");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        memberships.add(new Membership(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
      }
    }
    return new RoleSet(roles, memberships);
  }
}
