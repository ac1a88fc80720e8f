package io.drflow.activities.postgres;

import java.sql.SQLException;
import java.util.Locale;

/**
 * A PostgreSQL operation that failed, with a {@link Kind} saying whether trying again could help.
 * Activities map non-retryable kinds to non-retryable Temporal failures; this package stays free
 * of Temporal so it can be used (and tested) on its own.
 */
public class PgException extends RuntimeException {

  /** Why an operation failed, as far as retrying is concerned. */
  public enum Kind {
    /** No server answers at that address (refused, unknown host, timeout). */
    UNREACHABLE(false),
    /** The server answered but refused the credentials or the pg_hba rules refused us. */
    AUTH_FAILED(false),
    /** Authenticated, but the role lacks a privilege the operation needs. */
    PERMISSION_DENIED(false),
    /** The request cannot work as given (unknown database, invalid name, bad SQL). */
    BAD_INPUT(false),
    /** The database (or other object) to be created is already there. */
    ALREADY_EXISTS(false),
    /** No suitable client binary (missing, or older than the server). */
    TOOL_UNAVAILABLE(false),
    /** Anything else: lost connections, deadlocks, a server restarting, an I/O hiccup. */
    TRANSIENT(true);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Kind kind;

  public PgException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public PgException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean retryable() {
    return kind.retryable();
  }

  /**
   * Classifies a JDBC failure by SQLSTATE, which unlike the message text does not depend on the
   * server's language. {@code connecting} tells a connection that never came up (the server is
   * unreachable) from one lost mid-operation (worth retrying).
   */
  public static PgException fromSql(String what, SQLException e, boolean connecting) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    Kind kind = kindOf(state, connecting);
    return new PgException(kind, what + ": " + e.getMessage() + sqlStateSuffix(state), e);
  }

  static Kind kindOf(String sqlState, boolean connecting) {
    if (sqlState.startsWith("08")) {
      return connecting ? Kind.UNREACHABLE : Kind.TRANSIENT;
    }
    if (sqlState.startsWith("28")) {
      return Kind.AUTH_FAILED;
    }
    return switch (sqlState) {
      case "3D000" -> Kind.BAD_INPUT; // invalid_catalog_name: the database does not exist
      case "42501" -> Kind.PERMISSION_DENIED;
      case "42P04", "42710" -> Kind.ALREADY_EXISTS; // duplicate_database, duplicate_object
      // too many connections, starting up/shutting down, cancelled, deadlock, serialization,
      // lock timeout, out of resources: all pass by themselves.
      case "53300", "57P01", "57P02", "57P03", "57014", "40001", "40P01", "55P03" -> Kind.TRANSIENT;
      default -> {
        if (sqlState.startsWith("42") || sqlState.startsWith("22") || sqlState.startsWith("0A")) {
          yield Kind.BAD_INPUT; // syntax, undefined objects, data exceptions, unsupported
        }
        yield Kind.TRANSIENT;
      }
    };
  }

  /**
   * Classifies a failed client tool (pg_dump, pg_restore, ...) from its stderr. Children run with
   * {@code LC_MESSAGES=C}, so libpq's own messages are in English; messages the server sends
   * before authentication may still be translated, and then fall through to TRANSIENT.
   */
  static Kind kindOfToolError(String stderr) {
    String s = stderr.toLowerCase(Locale.ROOT);
    if (s.contains("password authentication failed")
        || s.contains("no password supplied")
        || s.contains("no pg_hba.conf entry")
        || s.contains("authentication failed")
        || s.contains("fatal:  role \"")) { // the login role is unknown: a credentials problem
      return Kind.AUTH_FAILED;
    }
    if (s.contains("connection refused")
        || s.contains("could not translate host name")
        || s.contains("no route to host")
        || s.contains("network is unreachable")
        || s.contains("timeout expired")
        || s.contains("could not connect to server")) {
      return Kind.UNREACHABLE;
    }
    if (s.contains("server version mismatch") || s.contains("unsupported version")) {
      return Kind.TOOL_UNAVAILABLE;
    }
    if (s.contains("permission denied")) {
      return Kind.PERMISSION_DENIED;
    }
    if ((s.contains("database \"") && s.contains("\" does not exist"))
        || s.contains("input file does not appear to be a valid archive")
        || s.contains("could not open input file")) {
      return Kind.BAD_INPUT;
    }
    return Kind.TRANSIENT;
  }

  private static String sqlStateSuffix(String state) {
    return state.isEmpty() ? "" : " [SQLSTATE " + state + "]";
  }
}
