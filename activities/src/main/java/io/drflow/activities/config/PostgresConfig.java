package io.drflow.activities.config;

/**
 * A PostgreSQL server and database. The password, if any, is read at run time from the
 * environment variable {@code passwordEnv}; without it libpq's trust/peer/.pgpass rules apply.
 */
public record PostgresConfig(
    String host, Integer port, String database, String user, String passwordEnv) {

  public PostgresConfig {
    port = port == null ? 5432 : port;
    user = user == null ? "postgres" : user;
  }

  public String server() {
    return host + ":" + port;
  }
}
