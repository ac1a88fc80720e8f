package io.drflow.activities.config;

import java.util.List;

/**
 * Where drills restore to and what they assert.
 *
 * @param target the server scratch databases are created on; defaults to none, which is an error
 *     unless {@code allowSourceServer} lets drills run on the production server itself
 * @param allowSourceServer permit the drill target to be the production server (scratch databases
 *     then share its disk and CPU with production)
 * @param restoreMode how restores of this service (drills, recoveries, failovers) get the dump to
 *     pg_restore: {@value #STREAM} (the default) restores while downloading, each table's data
 *     streamed into pg_restore as it is fetched; {@value #FILE} downloads the whole dump to the
 *     work directory first. Backups that cannot be streamed use the file either way
 */
public record DrillConfig(
    ServerConfig target, List<Assertion> assertions, Boolean allowSourceServer, String restoreMode) {

  public static final String STREAM = "stream";
  public static final String FILE = "file";

  public DrillConfig {
    assertions = assertions == null ? List.of() : List.copyOf(assertions);
    allowSourceServer = allowSourceServer != null && allowSourceServer;
    restoreMode = restoreMode == null || restoreMode.isBlank() ? STREAM : restoreMode.strip();
  }

  public DrillConfig(ServerConfig target, List<Assertion> assertions, Boolean allowSourceServer) {
    this(target, assertions, allowSourceServer, null);
  }

  /** Whether restores stream the dump into pg_restore (see {@code restoreMode}). */
  public boolean streams() {
    return STREAM.equals(restoreMode);
  }

  /** A SQL query that must return a single true value on the restored database. */
  public record Assertion(String name, String sql) {}
}
