package io.drflow.activities.config;

/**
 * A PostgreSQL server drflow creates databases on.
 *
 * @param maintenanceDatabase the database to connect to for CREATE/DROP DATABASE
 */
public record ServerConfig(
    String host, Integer port, String user, String passwordEnv, String maintenanceDatabase) {

  public ServerConfig {
    port = port == null ? 5432 : port;
    user = user == null ? "postgres" : user;
    maintenanceDatabase = maintenanceDatabase == null ? "postgres" : maintenanceDatabase;
  }

  public String server() {
    return host + ":" + port;
  }

  public PostgresConfig database(String name) {
    return new PostgresConfig(host, port, name, user, passwordEnv);
  }
}
