package io.drflow.activities.config;

import java.util.List;

/**
 * Where drills restore to and what they assert.
 *
 * @param target the server scratch databases are created on; defaults to none, which is an error
 *     unless {@code allowSourceServer} lets drills run on the production server itself
 * @param allowSourceServer permit the drill target to be the production server (scratch databases
 *     then share its disk and CPU with production)
 */
public record DrillConfig(
    ServerConfig target, List<Assertion> assertions, Boolean allowSourceServer) {

  public DrillConfig {
    assertions = assertions == null ? List.of() : List.copyOf(assertions);
    allowSourceServer = allowSourceServer != null && allowSourceServer;
  }

  /** A SQL query that must return a single true value on the restored database. */
  public record Assertion(String name, String sql) {}
}
