package io.drflow.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog questions asked of the source inside the backup's snapshot and asked again of the
 * restored copy, in one place so both sides are counted by the same rules.
 */
final class CatalogQueries {

  /**
   * Schemas that belong to the user: not the system catalogs, not TOAST, not temporary schemas
   * (temp tables are per-session and never dumped). {@code %s} is the pg_namespace alias.
   */
  private static final String USER_SCHEMA =
      "%1$s.nspname not in ('pg_catalog', 'information_schema')"
          + " and %1$s.nspname not like 'pg\\_toast%%'"
          + " and %1$s.nspname not like 'pg\\_temp\\_%%'";

  static String userSchema(String alias) {
    return String.format(USER_SCHEMA, alias);
  }

  /** A relation whose rows are counted, with its size in pages to count big ones first. */
  record Relation(String schema, String name, String kind, long pages) {
    String quoted() {
      return Sql.qualified(schema, name);
    }

    String qualifiedName() {
      return schema + "." + name;
    }
  }

  private CatalogQueries() {}

  /**
   * Ordinary tables, partitions and populated materialized views: everything whose rows pg_dump
   * writes. Partitioned parents hold no rows of their own; an unpopulated materialized view is
   * dumped WITH NO DATA and cannot even be counted.
   */
  static List<Relation> countedRelations(Connection c) throws SQLException {
    String sql =
        "select n.nspname, c.relname,"
            + " case when c.relkind = 'm' then 'matview'"
            + "      when c.relispartition then 'partition' else 'table' end,"
            + " c.relpages"
            + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " where c.relkind in ('r', 'm') and c.relpersistence <> 't'"
            + " and (c.relkind <> 'm' or c.relispopulated)"
            + " and " + userSchema("n")
            + " order by n.nspname, c.relname";
    List<Relation> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Relation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
      }
    }
    return out;
  }

  /**
   * Exact row count. {@code ONLY}, because with table inheritance a parent's count would
   * otherwise include its children's rows, which are counted separately.
   */
  static long countRows(Connection c, Relation r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select count(*) from only " + r.quoted());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static long largeObjects(Connection c) throws SQLException {
    return single(c, "select count(*) from pg_largeobject_metadata");
  }

  /**
   * Valid, ready indexes in user schemas. Invalid ones (a failed CREATE INDEX CONCURRENTLY) are
   * counted apart: pg_dump skips them, so a faithful restore does not have them.
   */
  static int validIndexes(Connection c) throws SQLException {
    return (int) single(c, indexQuery("count(*)", "i.indisvalid and i.indisready"));
  }

  /** "schema.index" of every invalid or not-ready index in user schemas. */
  static List<String> invalidIndexes(Connection c) throws SQLException {
    return strings(c, indexQuery("n.nspname || '.' || ic.relname", "not (i.indisvalid and i.indisready)")
        + " order by 1");
  }

  /** Constraints of tables and domains in user schemas (NOT NULL is not a constraint row in 15). */
  static int constraints(Connection c) throws SQLException {
    return (int) single(c, "select count(*) from pg_constraint co"
        + " join pg_namespace n on n.oid = co.connamespace where " + userSchema("n"));
  }

  /** "schema.table.constraint" (or "schema.domain.constraint") of each NOT VALID constraint. */
  static List<String> notValidConstraints(Connection c) throws SQLException {
    return strings(c, "select n.nspname || '.' || coalesce(cl.relname, t.typname) || '.' || co.conname"
        + " from pg_constraint co"
        + " join pg_namespace n on n.oid = co.connamespace"
        + " left join pg_class cl on cl.oid = co.conrelid"
        + " left join pg_type t on t.oid = co.contypid"
        + " where not co.convalidated and " + userSchema("n")
        + " order by 1");
  }

  private static String indexQuery(String select, String condition) {
    return "select " + select + " from pg_index i"
        + " join pg_class ic on ic.oid = i.indexrelid"
        + " join pg_namespace n on n.oid = ic.relnamespace"
        + " where ic.relpersistence <> 't' and " + condition + " and " + userSchema("n");
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
