package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.postgres.PgException.Kind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Connections to configured servers, for JDBC and for client tools alike. The password is looked
 * up through {@link Secrets} at each call, so it exists only in this process's memory and in the
 * environment of the tools it starts, never in a URL, a command line or a log line.
 */
public final class PgConnections {

  public static final String APPLICATION_NAME = "drflow";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

  private final Secrets secrets;
  private final Duration connectTimeout;

  public PgConnections(Secrets secrets) {
    this(secrets, DEFAULT_CONNECT_TIMEOUT);
  }

  public PgConnections(Secrets secrets, Duration connectTimeout) {
    this.secrets = secrets;
    this.connectTimeout = connectTimeout;
  }

  /**
   * A new connection in autocommit mode.
   *
   * @throws PgException UNREACHABLE, AUTH_FAILED, BAD_INPUT (no such database) or TRANSIENT
   * @throws Secrets.MissingSecretException when the configured password variable is not set
   */
  public Connection open(PostgresConfig target) {
    requireAddress(target);
    Properties props = new Properties();
    props.setProperty("user", target.user());
    password(target).ifPresent(p -> props.setProperty("password", p));
    props.setProperty("ApplicationName", APPLICATION_NAME);
    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    props.setProperty("loginTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds() * 2)));
    props.setProperty("tcpKeepAlive", "true");
    try {
      Connection c = DRIVER.connect(url(target), props);
      if (c == null) {
        throw new PgException(Kind.BAD_INPUT, "the PostgreSQL driver refused " + where(target));
      }
      return c;
    } catch (SQLException e) {
      throw PgException.fromSql("cannot connect to " + where(target), e, true);
    }
  }

  /** A connection to the server's maintenance database, for CREATE/DROP DATABASE. */
  public Connection open(ServerConfig server) {
    return open(server.database(server.maintenanceDatabase()));
  }

  /**
   * The environment a client tool needs to reach {@code target}: libpq reads PGHOST, PGPORT,
   * PGUSER, PGDATABASE and PGPASSWORD itself, so none of them appears in its arguments. (A
   * database name passed with {@code -d} would even be parsed as a connection string if it
   * contained '='.)
   */
  public Map<String, String> environment(PostgresConfig target) {
    requireAddress(target);
    Map<String, String> env = new HashMap<>();
    env.put("PGHOST", target.host());
    env.put("PGPORT", Integer.toString(target.port()));
    env.put("PGUSER", target.user());
    if (target.database() != null) {
      env.put("PGDATABASE", target.database());
    }
    password(target).ifPresent(p -> env.put("PGPASSWORD", p));
    env.put("PGAPPNAME", APPLICATION_NAME);
    env.put("PGCONNECT_TIMEOUT", Long.toString(Math.max(2, connectTimeout.toSeconds())));
    return env;
  }

  /** True when {@code select 1} succeeds on the target database. */
  public boolean isReachable(PostgresConfig target) {
    return probe(target).isEmpty();
  }

  /** Why {@code select 1} fails on the target, or empty when it works. */
  public Optional<PgException> probe(PostgresConfig target) {
    try (Connection c = open(target);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1")) {
      rs.next();
      return Optional.empty();
    } catch (PgException e) {
      return Optional.of(e);
    } catch (SQLException e) {
      return Optional.of(PgException.fromSql("select 1 on " + where(target), e, false));
    }
  }

  /** {@code server_version_num} of the target, e.g. 150018. */
  public int serverVersionNum(PostgresConfig target) {
    try (Connection c = open(target)) {
      return serverVersionNum(c);
    } catch (SQLException e) {
      throw PgException.fromSql("reading the server version of " + where(target), e, false);
    }
  }

  static int serverVersionNum(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_setting('server_version_num')::int")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** "host:port/database as user" for messages: never the password. */
  public static String where(PostgresConfig target) {
    return target.host() + ":" + target.port() + "/" + target.database() + " as " + target.user();
  }

  static String url(PostgresConfig target) {
    String host = target.host();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]"; // an IPv6 literal
    }
    String db = target.database() == null ? "" : target.database();
    // The driver URL-decodes the path, so any name survives encoding (checked with '=', '&',
    // '?', '/', '%', '+', spaces and unicode).
    return "jdbc:postgresql://" + host + ":" + target.port() + "/"
        + URLEncoder.encode(db, StandardCharsets.UTF_8);
  }

  private Optional<String> password(PostgresConfig target) {
    return secrets.optional(target.passwordEnv());
  }

  private static void requireAddress(PostgresConfig target) {
    if (target.host() == null || target.host().isBlank()) {
      throw new PgException(Kind.BAD_INPUT, "no PostgreSQL host configured");
    }
  }
}
