package io.drflow.activities.config;

/**
 * One region a service can be served from, for failover and failback. A region without {@code
 * kubernetes} or {@code healthUrl} skips those steps (the report says so).
 *
 * @param postgres the region's PostgreSQL server; the service's database name is used there
 * @param healthUrl the endpoint that answers 2xx when the service is healthy in this region
 */
public record RegionConfig(RegionPostgres postgres, String healthUrl, RegionKubernetes kubernetes) {

  /**
   * A PostgreSQL server in a region. The password, if any, comes from the environment variable
   * {@code passwordEnv} at run time.
   */
  public record RegionPostgres(String host, Integer port, String user, String passwordEnv) {

    public RegionPostgres {
      port = port == null ? 5432 : port;
      user = user == null ? "postgres" : user;
    }

    public String server() {
      return host + ":" + port;
    }

    /** The same server as a drill target, so the restore activities can write to it. */
    public ServerConfig asServer() {
      return new ServerConfig(host, port, user, passwordEnv, null);
    }
  }
}
