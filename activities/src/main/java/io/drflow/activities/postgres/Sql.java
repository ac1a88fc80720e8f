package io.drflow.activities.postgres;

import java.nio.charset.StandardCharsets;

/**
 * The one place SQL text is built from names. Database, schema, table and role names reach us
 * from configuration and from catalogs, and may contain spaces, quotes, unicode or {@code ;}:
 * they are always quoted here, never concatenated raw.
 */
public final class Sql {

  /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  private Sql() {}

  /**
   * A double-quoted identifier: {@code a"b} becomes {@code "a""b"}. Refuses what PostgreSQL would
   * not store as given: empty names, NUL characters and names over 63 bytes (which the server
   * would truncate, so that we would then create or drop a different object than named).
   */
  public static String quoteIdent(String name) {
    String why = invalidIdentifierReason(name);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return quoteIdent(schema) + "." + quoteIdent(name);
  }

  /**
   * Why {@code name} cannot be used as an identifier, or null when it can. Callers turn a non-null
   * answer into a bad-input error naming the offending value.
   */
  public static String invalidIdentifierReason(String name) {
    if (name == null || name.isEmpty()) {
      return "a PostgreSQL name must not be empty";
    }
    if (name.indexOf('\0') >= 0) {
      return "a PostgreSQL name cannot contain a NUL character";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_IDENTIFIER_BYTES) {
      return "PostgreSQL names are at most " + MAX_IDENTIFIER_BYTES + " bytes, this one has "
          + bytes;
    }
    return null;
  }

  /**
   * A string literal for the few statements that take no bind parameters ({@code SET ...}).
   * Backslashes switch to the {@code E''} form so the result means the same whatever
   * {@code standard_conforming_strings} is set to, as PostgreSQL's own {@code quote_literal} does.
   */
  public static String quoteLiteral(String value) {
    if (value == null) {
      throw new IllegalArgumentException("a SQL literal must not be null here");
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a SQL literal cannot contain a NUL character");
    }
    String quoted = value.replace("'", "''");
    if (value.indexOf('\\') >= 0) {
      return "E'" + quoted.replace("\\", "\\\\") + "'";
    }
    return "'" + quoted + "'";
  }
}
